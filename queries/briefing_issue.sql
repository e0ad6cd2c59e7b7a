-- The 期号 of a plan's briefing for a region and quarter (no row before it is numbered).
-- Parameters: $plan_code, $region_code, $quarter.
with final as (
    select issue_no
    from briefing_issues
    where plan_code = $plan_code and region_code = $region_code and quarter = $quarter
)
select * from final
