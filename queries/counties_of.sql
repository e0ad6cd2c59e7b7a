-- The counties in a region (the region itself when it is a county), with their names: the
-- rows of 数据上报's table and of 总览's notice of a county that sent nothing. Written only
-- by a build, so kept per build (tuoyu.indicators.BUILD_QUERIES). Parameters: $region.
select county_code, county_name
from counties_within($region)
order by county_code
