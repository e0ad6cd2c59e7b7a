-- Every account without its password hash, for administrators. No parameters.
select username, display_name, role, region_codes, department, is_disabled,
       failed_attempts, created_at, password_changed_at
from users
order by username
