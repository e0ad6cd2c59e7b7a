-- Records one change to a task (old → new). Parameters: $task_id, $changed_at, $changed_by,
-- $old_status, $new_status, $old_note, $new_note.
insert into task_history (task_id, changed_at, changed_by, old_status, new_status, old_note, new_note)
values ($task_id, cast($changed_at as timestamp), $changed_by, $old_status, $new_status, $old_note, $new_note)
