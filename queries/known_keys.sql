-- Every code an imported file may refer to (region codes, institution ids, plan codes) with its region, name and whether it lies in the plan's area.
-- Parameters: $region (the plan's region code; null = no area restriction).
with area as (
    select region_code
    from region_tree
    where ancestor_code = cast($region as text)
),
keys as (
    select 'regions' as table_name, code as key, code as region_code, name from regions
    union all
    select 'institutions', institution_id, region_code, name from institutions
    union all
    select 'plans', plan_code, region_code, title from plans
),
final as (
    select
        k.*,
        cast($region as text) is null or k.region_code in (select region_code from area) as is_in_area
    from keys as k
)
select * from final
