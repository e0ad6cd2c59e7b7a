-- Every recorded change to the tasks of a plan up to the end of $as_of, newest first.
-- Parameters: $plan_code, $as_of (a date).
with final as (
    select h.change_id, h.task_id, h.changed_at, h.changed_by,
           h.old_status, h.new_status, h.old_note, h.new_note
    from task_history as h
    join tasks as t on t.task_id = h.task_id
    where t.plan_code = $plan_code
      and cast(h.changed_at as date) <= cast($as_of as date)
)

select * from final
order by changed_at desc, change_id desc
