-- How many accounts exist (none: a demonstration database, writes open). No parameters.
select count(*) as n from users
