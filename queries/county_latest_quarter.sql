-- Each county under $region (the region itself when it is a county) with the latest quarter
-- any of its institutions reported, from the stored region_values (its rows counting every
-- active institution, as freshness.by_county counts them; they run to the latest report).
-- Parameters: $region.
with counties as (
    select * from counties_within($region)
),
latest as (
    select region_code as county_code, max(quarter) filter (where n_reported > 0) as latest_quarter
    from region_values
    where count_all
      and region_code in (select county_code from counties)
    group by all
),
final as (
    select c.county_code, c.county_name, l.latest_quarter
    from counties as c
    left join latest as l using (county_code)
)
select * from final
order by county_code
