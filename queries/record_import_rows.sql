-- Writes the rows one batch added or replaced from the registered frame import_rows_incoming (table_name, key_json, action, old_json, new_json).
-- Parameters: $batch_id.
insert into import_batch_rows (batch_id, table_name, key_json, action, old_json, new_json)
select $batch_id, table_name, key_json, action, old_json, new_json
from import_rows_incoming
