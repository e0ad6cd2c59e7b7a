-- How many institutions were active and how many reported, per listed region at one
-- quarter, counting every active institution (filed or not): the two columns of
-- indicator_values that 数据上报 and 总览's notice of a silent county read, without the
-- other fifty (a national page asks it of 2,850 counties). Only for a quarter the stored
-- region_values hold. Parameters: $region_codes (list), $quarter.
select region_code, n_active, n_reported
from region_values
where count_all
  and quarter = $quarter
  and region_code in (select unnest($region_codes))
order by region_code
