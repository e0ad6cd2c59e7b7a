-- Set one metadata value. Parameters: $key, $value.
insert or replace into meta values ($key, $value)
