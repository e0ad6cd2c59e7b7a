-- Rows of a surveys file that break a row rule, one is_* flag per rule (tuoyu/loading/rules.py words each).
-- Reads checked_rows (the typed rows and their row_index) and known_regions (v); no parameters.
with flagged as (
    select
        row_index,
        region_code not in (select v from known_regions) as is_region_unknown,
        satisfied > respondents as is_satisfied_over_respondents,
        respondents = 0 as is_respondents_zero
    from checked_rows
),

final as (
    select * from flagged where greatest(*columns('^is_'))
)

select * from final
