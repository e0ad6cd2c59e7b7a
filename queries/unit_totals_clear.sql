-- Forget the stored totals of the listed units (all of them when $units is null), before
-- unit_totals_fill writes them again. Parameters: $units (list of region codes, or null).
delete from unit_quarter_totals
where $units is null or list_contains($units, region_code)
