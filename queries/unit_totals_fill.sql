-- Store the totals of the listed units for the listed quarters (every unit when $units is
-- null). Parameters: $units (list of region codes, or null), $quarters (list of quarter labels).
insert into unit_quarter_totals
select *
from unit_quarter_totals_of(coalesce($units, (select list(code) from regions where parent_code is null)), $quarters)
where $units is null or list_contains($units, region_code)
order by quarter, region_code  -- a page reads one quarter's row groups
