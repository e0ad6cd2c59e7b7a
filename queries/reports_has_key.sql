-- Whether table reports has its primary key yet (a build adds it once the rows are in:
-- tuoyu/db.py add_keys, ddl/reports_key.sql). No parameters.
select count(*) > 0 as has_key
from duckdb_constraints()
where database_name = current_database()
  and schema_name = 'main'
  and table_name = 'reports'
  and constraint_type = 'PRIMARY KEY'
