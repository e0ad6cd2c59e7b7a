-- Each county under $region (the region itself when it is a county) with the latest quarter
-- any of its institutions reported, from the stored per-unit totals (which run to the
-- latest report). Parameters: $region.
with counties as (
    select * from counties_within($region)
),
latest as (
    select c.county_code, max(u.quarter) filter (where u.n_reported > 0) as latest_quarter
    from counties as c
    join region_tree as t on t.ancestor_code = c.county_code
    join unit_quarter_totals as u on u.region_code = t.region_code
    group by all
),
final as (
    select c.county_code, c.county_name, l.latest_quarter
    from counties as c
    left join latest as l using (county_code)
)
select * from final
order by county_code
