-- The province each listed region lies in (itself for a province).
-- Parameters: $region_codes (list).
with final as (
    select t.region_code, t.ancestor_code as province_code
    from region_tree as t
    join regions as r on r.code = t.ancestor_code
    where list_contains($region_codes, t.region_code)
      and r.level = 'province'
)
select * from final
