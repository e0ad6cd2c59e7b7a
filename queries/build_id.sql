-- The database build's id (meta build_id, new at every build): what is kept per build
-- (tuoyu.indicators.per_build) is told apart by it. No parameters.
select value as build_id
from meta
where key = 'build_id'
