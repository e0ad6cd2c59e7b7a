-- Every DESIGN §3 indicator, with its supporting totals, the directly reported figures and
-- new slots, per listed region and quarter, from the stored region_values (tuoyu/totals.py;
-- only for quarters it holds). Parameters: $region_codes (list), $quarters (list like
-- ['2024Q3']), $count_all (bool), $columns (list of the columns wanted, null for all).
select columns(lambda c: c <> 'count_all' and coalesce(list_contains($columns, c), true))
from region_values
where count_all = $count_all
  and region_code in (select unnest($region_codes))
  and quarter in (select unnest($quarters))
order by region_code, quarter
