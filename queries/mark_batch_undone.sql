-- Marks an import batch as undone (run inside the undo's transaction).
-- Parameters: $batch_id, $undone_at, $undone_by.
update import_batches
set undone_at = $undone_at, undone_by = $undone_by
where batch_id = $batch_id and undone_at is null
