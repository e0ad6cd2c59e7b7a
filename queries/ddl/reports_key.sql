-- The key of reports (one report per institution and period), apart from the table so that
-- a build adds it once the rows are in (tuoyu/db.py add_keys): built from 2.4 million stored
-- rows it costs ~2 s less than kept up row by row through the insert and its commit. A
-- unique index rather than ALTER TABLE … ADD PRIMARY KEY: the same rule (a key twice raises
-- a constraint error, on the build and on every later insert), built quicker (1.8–2.2 s
-- against 2.6–3.0 s in the national build). Databases built before keep their primary key.
create unique index if not exists reports_key on reports (institution_id, period)
