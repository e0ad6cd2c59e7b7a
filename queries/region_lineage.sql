-- A region and each of its ancestors, nearest first, with their levels.
-- Parameters: $region_code.
with final as (
    select t.ancestor_code as code, r.name, r.level, r.parent_code, t.depth
    from region_tree as t
    join regions as r on r.code = t.ancestor_code
    where t.region_code = $region_code
)
select * from final
order by depth
