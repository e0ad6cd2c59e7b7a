-- The units below a region at a given level (the counties of a province or city, the
-- townships of a county): the units an each_child target binds. Parameters: $region_code, $level.
with final as (
    select r.code, r.name, r.level, r.parent_code
    from region_tree as t
    join regions as r on r.code = t.region_code
    where t.ancestor_code = $region_code
      and t.depth > 0
      and r.level = $level
)
select * from final
order by code
