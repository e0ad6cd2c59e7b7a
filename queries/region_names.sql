-- The name of each listed region. Parameters: $region_codes (list).
with final as (
    select code, name
    from regions
    where code in (select unnest($region_codes))
)
select * from final
order by code
