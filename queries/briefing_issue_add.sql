-- Number a plan's briefing for a region and quarter with the plan's next 期号, unless it
-- has one. Parameters: $plan_code, $region_code, $quarter.
insert into briefing_issues (plan_code, region_code, quarter, issue_no)
select $plan_code, $region_code, $quarter, coalesce(max(issue_no), 0) + 1
from briefing_issues
where plan_code = $plan_code
having not exists (
    select 1 from briefing_issues
    where plan_code = $plan_code and region_code = $region_code and quarter = $quarter
)
