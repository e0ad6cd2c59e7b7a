-- Rows of a region_indicators file that break a row rule, one is_* flag per rule (tuoyu/loading/rules.py words each).
-- Reads checked_rows (the typed rows, row_index, period_end) and known_regions (v); parameters $today, $earliest_year.
with flagged as (
    select
        row_index,
        region_code not in (select v from known_regions) as is_region_unknown,
        period_end > $today as is_period_unfinished,
        year(period_end) < $earliest_year as is_period_too_early
    from checked_rows
),

final as (
    select * from flagged where greatest(*columns('^is_'))
)

select * from final
