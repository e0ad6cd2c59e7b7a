-- For quarters unit_quarter_totals does not hold: the same rows, computed now into a
-- temporary table of this cursor, which indicator_values then reads.
-- Parameters: $region_codes (list), $quarters (list of quarter labels).
create or replace temp table unit_totals_live as
select * from unit_quarter_totals_of($region_codes, $quarters)
