-- The latest quarter any institution of each listed county reported, from the stored
-- region_values (its rows counting every active institution, as freshness.by_county counts
-- them; they run to the latest report). A county that never reported has none.
-- Parameters: $region_codes (list).
select region_code as county_code, max(quarter) filter (where n_reported > 0) as latest_quarter
from region_values
where count_all
  and region_code in (select unnest($region_codes))
group by all
order by county_code
