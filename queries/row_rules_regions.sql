-- Rows of a regions file that break a row rule, one is_* flag per rule (tuoyu/loading/rules.py words each).
-- Reads checked_rows (the typed rows and their row_index) and known_regions (v); no parameters.
with flagged as (
    select
        row_index,
        -- \p{Nd}: any decimal digit, as Python's \d (全角 ones are read as ASCII before this)
        code is not null and not regexp_full_match(code, '\p{Nd}{6}|\p{Nd}{9}|\p{Nd}{12}') as is_code_malformed,
        parent_code not in (select v from known_regions) as is_parent_unknown,
        code = parent_code as is_own_parent
    from checked_rows
),

final as (
    select * from flagged where greatest(*columns('^is_'))
)

select * from final
