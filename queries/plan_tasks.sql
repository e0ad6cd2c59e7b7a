-- The stored tasks of a plan with their last recorded change (status as stored: 滞后 is
-- derived at read time in tuoyu/ledger.py). Parameters: $plan_code.
with changes as (
    select task_id, count(*) as n_changes, max(changed_at) as last_changed_at
    from task_history
    group by task_id
),

final as (
    select
        t.task_id, t.plan_code, t.section, t.title, t.responsible_units, t.due,
        t.status, t.progress_note, t.updated_on, t.indicators, t.source,
        coalesce(c.n_changes, 0) as n_changes, c.last_changed_at
    from tasks as t
    left join changes as c on c.task_id = t.task_id
    where t.plan_code = $plan_code
)

select * from final
order by task_id
