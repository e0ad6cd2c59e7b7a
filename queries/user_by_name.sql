-- One user account, hash included (for sign-in only). Parameters: $username.
select * from users where username = $username
