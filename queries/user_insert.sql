-- Create an account. Parameters: $username, $display_name, $password_hash, $role, $region_codes, $department.
insert into users (username, display_name, password_hash, role, region_codes, department, password_changed_at)
values ($username, $display_name, $password_hash, $role, $region_codes, $department, current_timestamp)
