-- The units directly under a region, by code. Parameters: $region_code.
select code, name, level, parent_code
from regions
where parent_code = $region_code
order by code
