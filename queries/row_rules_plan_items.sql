-- Rows of a phases or tasks file (the plan's items) that break a row rule, one is_* flag per rule (tuoyu/loading/rules.py words each).
-- Reads checked_rows (the typed rows and their row_index) and known_plans (v); no parameters.
with flagged as (
    select
        row_index,
        plan_code not in (select v from known_plans) as is_plan_unknown
    from checked_rows
),

final as (
    select * from flagged where greatest(*columns('^is_'))
)

select * from final
