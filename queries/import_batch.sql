-- One import batch by number (no row when there is none), for undo.
-- Parameters: $batch_id (integer).
with final as (
    select *
    from import_batches
    where batch_id = $batch_id
)
select * from final
