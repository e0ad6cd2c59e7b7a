-- Quarters that have at least one report, newest first. No parameters.
select distinct quarter from reports order by quarter desc
