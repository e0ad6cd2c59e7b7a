-- When the data last changed — the latest import or undo, else the database build (meta
-- built_at) — and the latest quarter with reports. No parameters.
with changes as (
    select max(greatest(imported_at, undone_at)) as changed_at
    from import_batches
),
built as (
    select max(try_cast(value as timestamp)) as built_at
    from meta
    where key = 'built_at'
),
latest as (
    select max(quarter) as latest_quarter
    from unit_quarter_totals
    where n_reported > 0
),
final as (
    select greatest(changes.changed_at, built.built_at) as updated_at, latest.latest_quarter
    from changes, built, latest
)
select * from final
