-- The quarters unit_quarter_totals holds (written with it by tuoyu/totals.py); no rows when
-- it was never filled. No parameters.
select
    max(value) filter (where key = 'unit_totals_from') as first_quarter,
    max(value) filter (where key = 'unit_totals_to') as last_quarter
from meta
where key in ('unit_totals_from', 'unit_totals_to')
having count(*) = 2
