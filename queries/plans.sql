-- All plans with their region's name (null when the region is not loaded). No parameters.
select p.*, r.name as region_name, r.level as region_level
from plans as p
left join regions as r on r.code = p.region_code
order by p.plan_code
