-- One task as stored, for an update (empty when the id is unknown). Parameters: $task_id.
with final as (
    select task_id, plan_code, title, status, progress_note, updated_on, responsible_units
    from tasks
    where task_id = $task_id
)

select * from final
