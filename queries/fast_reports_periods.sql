-- Each period of fast_reports with its quarter and last day, as write.prepare_rows adds them (the build's fast path): a few hundred rows that the rules and the insert join to the reports, rather than a second copy of millions of reports with two more columns.
-- No parameters; reads fast_reports (periods already in their plain form: 2024Q3 or 2024-09), makes temp table fast_periods.
create or replace temp table fast_periods as
select
    period,
    case when period like '____Q_' then period
         else substr(period, 1, 4) || 'Q' || cast((cast(substr(period, 6, 2) as integer) - 1) // 3 + 1 as varchar)
    end as quarter,
    case when period like '____Q_' then quarter_end(period)
         else last_day(cast(period || '-01' as date))
    end as period_end
from (select distinct period from fast_reports)
