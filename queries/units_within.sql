-- Which of the listed region codes lie within (at or below) any of the allowed codes.
-- Parameters: $region_codes (list), $allowed_codes (list).
with final as (
    select distinct region_code
    from region_tree
    where list_contains($region_codes, region_code)
      and list_contains($allowed_codes, ancestor_code)
)
select * from final
