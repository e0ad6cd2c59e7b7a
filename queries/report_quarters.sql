-- Quarters that have at least one report, newest first. No parameters.
-- From the stored per-unit totals (tuoyu/totals.py), which count every report of an
-- institution active at the quarter's end (a report outside its institution's life counts
-- nowhere, so its quarter is not offered): a few thousand rows, not every report.
select distinct quarter from unit_quarter_totals where n_reported > 0 order by quarter desc
