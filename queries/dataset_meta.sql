-- The loaded dataset's metadata (label 示例数据 for the sample, description …). No parameters.
select key, value from meta order by key
