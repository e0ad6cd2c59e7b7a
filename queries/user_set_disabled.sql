-- Disable or re-enable an account. Parameters: $username, $is_disabled.
update users set is_disabled = $is_disabled where username = $username
