-- Rows of a reports file that break a row rule, one is_* flag per rule (tuoyu/loading/rules.py words each).
-- Reads checked_rows (the typed rows, row_index, period_end) and known_institutions (v);
-- parameters $today, $earliest_year, $max_enrolment_over_slots. The build's fast path
-- (tuoyu/loading/fast.py) runs this same query on a large file.
with flagged as (
    select
        row_index,
        institution_id not in (select v from known_institutions) as is_institution_unknown,
        period_end > $today as is_period_unfinished,
        year(period_end) < $earliest_year as is_period_too_early,
        -- hugeint: three counts near the integer limit add up without an overflow error;
        -- negative slots are named once, by the cell check
        coalesce(cast(enrolled_infant as hugeint), 0) + coalesce(cast(enrolled_toddler as hugeint), 0)
            + coalesce(cast(enrolled_preschool as hugeint), 0) > slots * $max_enrolment_over_slots
            and slots >= 0 as is_enrolment_over_slots,
        caregivers_certified > caregivers as is_certified_over_caregivers
    from checked_rows
),

final as (
    select * from flagged where greatest(*columns('^is_'))
)

select * from final
