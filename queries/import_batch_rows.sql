-- The rows one import batch added or replaced: table, key, and the row before and after (JSON), for undo.
-- Parameters: $batch_id (integer).
with final as (
    select table_name, key_json, action, old_json, new_json
    from import_batch_rows
    where batch_id = $batch_id
)
select * from final
order by table_name, key_json
