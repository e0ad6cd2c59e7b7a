-- Append one event to the audit log. Parameters: $event_at, $username, $action, $detail, $ok.
insert into audit_log (event_at, username, action, detail, ok) values ($event_at, $username, $action, $detail, $ok)
