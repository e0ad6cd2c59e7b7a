-- Replace a password hash and clear any lock. Parameters: $username, $password_hash.
update users
set password_hash = $password_hash, password_changed_at = current_timestamp,
    failed_attempts = 0, locked_until = null
where username = $username
