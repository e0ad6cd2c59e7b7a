-- The quarters unit_quarter_totals should hold: from the first quarter of the year before the
-- first report (a trend's earlier quarters, the previous year's Q4 for new slots) to the
-- latest reported quarter; nulls when there is no report. No parameters.
select
    cast(min(year(period_end)) - 1 as text) || 'Q1' as first_quarter,
    max(quarter) as last_quarter
from reports
