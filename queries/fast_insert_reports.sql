-- Store the reports checked on the build's fast path (temp table fast_reports), by quarter as write.INSERT_ORDER stores them.
-- No parameters.
insert into reports by name
select *
from fast_reports
order by quarter
