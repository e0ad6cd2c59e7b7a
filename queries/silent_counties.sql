-- For 总览's notice: the counties under $region (the region itself when it is a county) with
-- institutions active at the end of $quarter but not one report for it, with the latest
-- quarter the county did report (null: never), from the stored per-unit totals (only for a
-- quarter they hold, tuoyu/totals.py). Parameters: $region, $quarter.
with counties as (
    select * from counties_within($region)
),
by_quarter as (
    select c.county_code, c.county_name, u.quarter,
           sum(u.n_active) as n_active, sum(u.n_reported) as n_reported
    from counties as c
    join region_tree as t on t.ancestor_code = c.county_code
    join unit_quarter_totals as u on u.region_code = t.region_code
    group by all
),
final as (
    select county_code, county_name,
           max(quarter) filter (where n_reported > 0) as latest_quarter
    from by_quarter
    group by all
    having coalesce(sum(n_active) filter (where quarter = $quarter), 0) > 0
       and coalesce(sum(n_reported) filter (where quarter = $quarter), 0) = 0
)
select * from final
order by county_code
