-- What stands in the way of undoing a batch: later batches (not undone) that wrote a row this batch wrote, and batches whose rows refer to an institution this batch added; one row per (batch, reason, table) with a count and an example key.
-- Parameters: $batch_id (integer).
with mine as (
    select table_name, key_json, action
    from import_batch_rows
    where batch_id = $batch_id
),
live as (
    select batch_id
    from import_batches
    where undone_at is null and batch_id <> $batch_id
),
rewritten as (
    select later.batch_id, 'rewrote' as reason, later.table_name, later.key_json
    from mine
    join import_batch_rows as later
        on later.table_name = mine.table_name and later.key_json = mine.key_json
    where later.batch_id > $batch_id
      and later.batch_id in (select batch_id from live)
),
added_institutions as (
    select json_extract_string(key_json, '$[0]') as institution_id
    from mine
    where table_name = 'institutions' and action = 'added'
),
referring as (
    select other.batch_id, 'refers' as reason, other.table_name, other.key_json
    from import_batch_rows as other
    where other.table_name in ('reports', 'incidents')
      and other.batch_id in (select batch_id from live)
      and json_extract_string(other.key_json, '$[0]') in (select institution_id from added_institutions)
),
combined as (
    select * from rewritten
    union all
    select * from referring
),
final as (
    select batch_id, reason, table_name, count(*) as n_rows, min(key_json) as example_key
    from combined
    group by batch_id, reason, table_name
)
select * from final
order by batch_id, reason, table_name
