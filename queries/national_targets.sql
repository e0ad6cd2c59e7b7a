-- Numeric targets set for the national unit (e.g. 4.5 托位/千人 by 2025), drawn as reference
-- lines on every trend. Parameters: $indicator.
with final as (
    select t.plan_code, t.year, t.target, t.source
    from targets as t
    join regions as r on r.code = t.region_code
    where r.level = 'national'
      and t.indicator = $indicator
      and t.benchmark = 'value'
)
select * from final
order by year
