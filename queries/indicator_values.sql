-- Every DESIGN §3 indicator, with its supporting totals, per listed region and quarter.
-- Parameters: $region_codes (list of codes), $quarters (list like ['2024Q3']), $count_all (bool).
select *
from region_quarter_values($region_codes, $quarters, $count_all)
order by region_code, quarter
