-- Whether table reports has its key yet (a build adds it once the rows are in: tuoyu/db.py
-- add_keys, ddl/reports_key.sql): the unique index reports_key, or the primary key of a
-- database built before the key became an index. No parameters.
select (select count(*)
        from duckdb_indexes()
        where database_name = current_database()
          and schema_name = 'main'
          and table_name = 'reports'
          and index_name = 'reports_key'
          and is_unique)
     + (select count(*)
        from duckdb_constraints()
        where database_name = current_database()
          and schema_name = 'main'
          and table_name = 'reports'
          and constraint_type = 'PRIMARY KEY') > 0 as has_key
