-- The counties in a region (the region itself when it is a county) from which not one
-- institution reported the quarter, with their active institutions and their latest quarter
-- reported (none where they never reported): what freshness.silent() chooses from for
-- 总览's notice, in one reading of the stored region_values (their rows counting every
-- active institution, as freshness.by_county counts them) instead of 2,850 counties' counts
-- brought to Python. Only for a quarter the stored rows hold. Parameters: $region, $quarter.
with quiet as (
    select c.county_code, c.county_name, v.n_active as active, v.n_reported as reported
    from counties_within($region) c
    join region_values v on v.region_code = c.county_code and v.count_all and v.quarter = $quarter
    where v.n_reported = 0
)
select q.county_code, q.county_name,
       (select max(r.quarter) filter (where r.n_reported > 0) from region_values r
        where r.count_all and r.region_code = q.county_code) as latest_quarter,
       q.active, q.reported
from quiet q
order by q.county_code
