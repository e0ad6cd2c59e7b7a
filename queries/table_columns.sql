-- The columns of one table of the store in order, with their DuckDB types (for the import's casts).
-- Parameters: $table_name.
with final as (
    select column_name, data_type, column_index
    from duckdb_columns()
    where schema_name = 'main' and table_name = $table_name
)
select column_name, data_type from final
order by column_index
