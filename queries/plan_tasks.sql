-- The tasks of a plan as they stood at the end of $as_of (DESIGN §4.3): status, progress
-- note and its date from the last recorded change on or before that day; a task changed
-- only later shows its state before that change; one never changed, as stored. 滞后 is
-- derived at read time in tuoyu/ledger.py. Parameters: $plan_code, $as_of (a date).
with history as (
    select h.*, cast(h.changed_at as date) <= cast($as_of as date) as is_known
    from task_history as h
    join tasks as t on t.task_id = h.task_id
    where t.plan_code = $plan_code
),

last_known as (
    select task_id, new_status, new_note, cast(changed_at as date) as changed_on
    from history
    where is_known
    qualify row_number() over (partition by task_id order by changed_at desc, change_id desc) = 1
),

first_later as (
    select task_id, old_status, old_note
    from history
    where not is_known
    qualify row_number() over (partition by task_id order by changed_at, change_id) = 1
),

changes as (
    select task_id, count(*) as n_changes, max(changed_at) as last_changed_at
    from history
    where is_known
    group by task_id
),

final as (
    select
        t.task_id, t.plan_code, t.section, t.title, t.responsible_units, t.due,
        case when k.task_id is not null then k.new_status
             when f.task_id is not null then f.old_status
             else t.status end as status,
        case when k.task_id is not null then k.new_note
             when f.task_id is not null then f.old_note
             else t.progress_note end as progress_note,
        -- the stored date belongs to the latest change; before a later change it is not known
        case when k.task_id is not null then k.changed_on
             when f.task_id is null and t.updated_on <= cast($as_of as date) then t.updated_on end as updated_on,
        t.indicators, t.source, t.note,
        coalesce(c.n_changes, 0) as n_changes, c.last_changed_at
    from tasks as t
    left join last_known as k on k.task_id = t.task_id
    left join first_later as f on f.task_id = t.task_id
    left join changes as c on c.task_id = t.task_id
    where t.plan_code = $plan_code
)

select * from final
order by task_id
