-- Rows of an incidents file that break a row rule, one is_* flag per rule (tuoyu/loading/rules.py words each).
-- Reads checked_rows (the typed rows and their row_index) and known_institutions (v); parameter $today.
with flagged as (
    select
        row_index,
        institution_id not in (select v from known_institutions) as is_institution_unknown,
        occurred_on > $today as is_occurred_in_future
    from checked_rows
),

final as (
    select * from flagged where greatest(*columns('^is_'))
)

select * from final
