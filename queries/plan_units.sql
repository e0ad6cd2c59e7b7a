-- The plan's region and every unit below it (city → county → township), for the region
-- picker, with depth for indentation. Parameters: $region_code.
with final as (
    select r.code, r.name, r.level, r.parent_code, t.depth
    from region_tree as t
    join regions as r on r.code = t.region_code
    where t.ancestor_code = $region_code
)
select * from final
order by code
