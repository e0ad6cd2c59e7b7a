-- indicator_values for quarters region_values does not hold, computed now from the per-unit
-- totals made by unit_totals_live on the same cursor. Parameters as indicator_values.
select *
from indicator_rows($region_codes, $quarters, $count_all, 'unit_totals_live')
order by region_code, quarter
