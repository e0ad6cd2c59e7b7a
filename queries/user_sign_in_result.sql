-- Record a sign-in attempt's outcome on the account. Parameters: $username, $failed_attempts, $locked_until.
update users set failed_attempts = $failed_attempts, locked_until = $locked_until where username = $username
