-- fast_reports with each report's quarter and the last day of its period, as write.prepare_rows adds them (the build's fast path).
-- No parameters; reads and replaces temp table fast_reports (periods already in their plain form: 2024Q3 or 2024-09).
create or replace temp table fast_reports as
with by_period as (
    select
        period,
        case when period like '____Q_' then period
             else substr(period, 1, 4) || 'Q' || cast((cast(substr(period, 6, 2) as integer) - 1) // 3 + 1 as varchar)
        end as quarter,
        case when period like '____Q_' then quarter_end(period)
             else last_day(cast(period || '-01' as date))
        end as period_end
    from (select distinct period from fast_reports)
),

final as (
    select fast_reports.*, by_period.quarter, by_period.period_end
    from fast_reports
    join by_period using (period)
)

select * from final
