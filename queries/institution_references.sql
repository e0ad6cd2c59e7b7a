-- How many reports and incidents refer to each of the listed institutions (only those with any).
-- Parameters: $institution_ids (list of institution ids).
with refs as (
    select institution_id, 1 as n_reports, 0 as n_incidents
    from reports
    where list_contains($institution_ids, institution_id)
    union all
    select institution_id, 0, 1
    from incidents
    where list_contains($institution_ids, institution_id)
),
final as (
    select institution_id, sum(n_reports) as n_reports, sum(n_incidents) as n_incidents
    from refs
    group by institution_id
)
select * from final
order by institution_id
