-- Writes one import batch's header row (run inside the import's transaction).
-- Parameters: $batch_id, $imported_at, $imported_by, $file_name, $sha256, $table_name, $rows_added, $rows_replaced, $rows_unchanged.
insert into import_batches (batch_id, imported_at, imported_by, file_name, sha256, table_name,
                            rows_added, rows_replaced, rows_unchanged)
values ($batch_id, $imported_at, $imported_by, $file_name, $sha256, $table_name,
        $rows_added, $rows_replaced, $rows_unchanged)
