-- The counties in a region (the region itself when it is a county) from which not one
-- institution reported the quarter, with their active institutions: what freshness.silent()
-- chooses from for 总览's notice, in one reading of the stored region_values (their rows
-- counting every active institution, as freshness.by_county counts them) instead of 2,850
-- counties' counts brought to Python. Their latest quarter reported is read as for every
-- county (latest_report_quarter.sql). Only for a quarter the stored rows hold.
-- Parameters: $region, $quarter.
select c.county_code, c.county_name, v.n_active as active, v.n_reported as reported
from counties_within($region) c
join region_values v on v.region_code = c.county_code and v.count_all and v.quarter = $quarter
where v.n_reported = 0
order by c.county_code
