-- Rows of an institutions file that break a row rule, one is_* flag per rule (tuoyu/loading/rules.py words each).
-- Reads checked_rows (the typed rows and their row_index) and known_regions (v); parameter $today.
-- The build's fast path (tuoyu/loading/fast.py) runs this same query on a large file.
with flagged as (
    select
        row_index,
        region_code not in (select v from known_regions) as is_region_unknown,
        filed_on < registered_on as is_filed_before_registered,
        closed_on < registered_on as is_closed_before_registered,
        registered_on > $today as is_registered_in_future,
        filed_on > $today as is_filed_in_future,
        closed_on > $today as is_closed_in_future
    from checked_rows
),

final as (
    select * from flagged where greatest(*columns('^is_'))
)

select * from final
