-- Every import batch, newest first: who sent which file into which table, what it added and replaced, and whether it was undone.
-- Parameters: none.
with batches as (
    select
        batch_id,
        imported_at,
        imported_by,
        file_name,
        sha256,
        table_name,
        rows_added,
        rows_replaced,
        rows_unchanged,
        undone_at,
        undone_by
    from import_batches
),
final as (
    select *, undone_at is not null as is_undone
    from batches
)
select * from final
order by batch_id desc
