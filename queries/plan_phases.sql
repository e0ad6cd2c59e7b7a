-- The stages of a plan in order, each with a start for drawing: its own, else the day after
-- the previous stage ends, else the plan's issue date (data/base/README.md). Parameters: $plan_code.
with stages as (
    select
        ph.plan_code, ph.seq, ph.phase, ph.starts_on, ph.ends_on, ph.source,
        lag(ph.ends_on) over (partition by ph.plan_code order by ph.seq) as previous_ends_on,
        p.issued_on as plan_issued_on
    from phases as ph
    join plans as p on p.plan_code = ph.plan_code
    where ph.plan_code = $plan_code
),

final as (
    select
        plan_code, seq, phase, starts_on, ends_on, source,
        coalesce(starts_on, cast(previous_ends_on + interval 1 day as date),
                 least(plan_issued_on, ends_on), ends_on) as drawn_starts_on,
        starts_on is null as is_start_assumed
    from stages
)

select * from final
order by seq
