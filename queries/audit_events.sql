-- The latest audit events, newest first. Parameters: $limit.
select event_id, event_at, username, action, detail, ok
from audit_log
order by event_id desc
limit $limit
