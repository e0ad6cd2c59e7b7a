-- The published national 每千人口托位数 (region 100000), the reference line on trend charts.
-- No parameters.
select period, quarter, period_end, value, source
from region_indicators
where indicator = 'slots_per_1000'
  and region_code in (select code from regions where level = 'national')
order by period_end
