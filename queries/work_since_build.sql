-- What people wrote since the database was built: import batches, and task changes beyond
-- those the build recorded (meta task_changes_at_build; a database built before that key
-- existed counts every change). No parameters.
with built as (
    select coalesce(max(cast(value as integer)), 0) as n
    from meta
    where key = 'task_changes_at_build'
),
final as (
    select
        (select count(*) from import_batches) as n_batches,
        (select count(*) from task_history) - (select n from built) as n_task_changes
)
select * from final
