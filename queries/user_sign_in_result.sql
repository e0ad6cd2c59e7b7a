-- Record a sign-in attempt's outcome on the account (a lock from older versions is
-- cleared: failures now wait a few seconds, tuoyu/backoff.py). Parameters: $username, $failed_attempts.
update users set failed_attempts = $failed_attempts, locked_until = null where username = $username
