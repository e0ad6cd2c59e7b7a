-- Store indicator_rows for every region, every listed quarter and both counting rules,
-- ordered so that a page reads one quarter's row groups. Parameters: $quarters (list).
create or replace table region_values as
select false as count_all, *
from indicator_rows((select list(code) from regions), $quarters, false, 'unit_quarter_totals')
union all
select true as count_all, *
from indicator_rows((select list(code) from regions), $quarters, true, 'unit_quarter_totals')
order by quarter, region_code, count_all
