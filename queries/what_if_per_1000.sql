-- 每千人口托位数 for hypothetical slot totals (the 县区对比 what-if), through the same macro
-- as every other figure. Parameters: $codes, $slots, $populations (lists of equal length).
with inputs as (
    select unnest($codes) as region_code,
           unnest($slots) as slots,
           unnest($populations) as resident_population
),
final as (
    select region_code, slots, resident_population,
           per_1000(slots, resident_population) as slots_per_1000
    from inputs
)
select * from final
