-- The province each listed region lies in (itself for a province).
-- Parameters: $region_codes (list).
with final as (
    select t.region_code, t.ancestor_code as province_code
    from region_tree as t
    join regions as r on r.code = t.ancestor_code
    where t.region_code in (select unnest($region_codes))  -- a join, not an IN list of constants to plan
      and r.level = 'province'
)
select * from final
