-- Sets a task's status and progress note as of a date. Parameters: $task_id, $status,
-- $progress_note, $updated_on.
update tasks
set status = $status, progress_note = $progress_note, updated_on = cast($updated_on as date)
where task_id = $task_id
