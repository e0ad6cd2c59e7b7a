-- Every target of a plan, with the level of the region it names.
-- Parameters: $plan_code.
with final as (
    select t.*, r.level as target_region_level
    from targets as t
    left join regions as r on r.code = t.region_code
    where t.plan_code = $plan_code
)
select * from final
order by indicator, year, scope, region_code
