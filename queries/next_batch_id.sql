-- The number the next import batch gets: one more than the highest so far (undone batches keep their numbers).
-- Parameters: none.
with final as (
    select coalesce(max(batch_id), 0) + 1 as batch_id
    from import_batches
)
select * from final
