-- Store the reports checked on the build's fast path (temp table fast_reports, with each period's quarter and last day from fast_periods), by quarter as write.INSERT_ORDER stores them.
-- No parameters.
insert into reports by name
select *
from fast_reports
join fast_periods using (period)
order by quarter
