-- The tasks of a plan for the briefing when the task ledger (tuoyu/ledger.py) is absent: late =
-- due before $today and not 已完成, or marked 滞后; days_overdue from the due date. Parameters: $plan_code, $today.
with tasks_of_plan as (
    select task_id, section, title, responsible_units, due, status, progress_note, updated_on
    from tasks
    where plan_code = $plan_code
),

final as (
    select
        *,
        coalesce(status = '滞后' or (due < cast($today as date) and status <> '已完成'), false) as is_late,
        case
            when due < cast($today as date) and status <> '已完成'
                then date_diff('day', due, cast($today as date))
        end as days_overdue
    from tasks_of_plan
)

select * from final
order by is_late desc, due, task_id
