-- Reporting freshness: one row per institution active at the end of the expected quarter in each county under $region (the region itself when it is a county), whether it reported that quarter, and its county's latest reported quarter; a county with no active institution gets one row with a null institution.
-- Parameters: $region (region code), $quarter (expected quarter like '2024Q3'; null = the latest quarter any institution under $region reported).
with counties as (
    select * from counties_within($region)
),
county_institutions as (
    select c.county_code, i.institution_id, i.name, i.registered_on, i.closed_on
    from counties as c
    join region_tree as t on t.ancestor_code = c.county_code
    join institutions as i on i.region_code = t.region_code
),
county_latest as (
    select ci.county_code, max(r.quarter) as latest_quarter
    from county_institutions as ci
    join reports as r on r.institution_id = ci.institution_id
    group by ci.county_code
),
expected as (
    select coalesce(cast($quarter as text), (select max(latest_quarter) from county_latest)) as expected_quarter
),
active as (
    select ci.*
    from county_institutions as ci
    cross join expected as e
    where ci.registered_on <= quarter_end(e.expected_quarter)
      and (ci.closed_on is null or ci.closed_on > quarter_end(e.expected_quarter))
),
reported as (
    select distinct r.institution_id
    from reports as r
    join expected as e on r.quarter = e.expected_quarter
),
final as (
    select
        c.county_code,
        c.county_name,
        l.latest_quarter,
        e.expected_quarter,
        a.institution_id,
        a.name as institution_name,
        case when a.institution_id is not null then rp.institution_id is not null end as has_report
    from counties as c
    cross join expected as e
    left join county_latest as l on l.county_code = c.county_code
    left join active as a on a.county_code = c.county_code
    left join reported as rp on rp.institution_id = a.institution_id
)
select * from final
order by county_code, institution_id
