-- A CSV file's cells as text, in temp table fast_raw with columns c0, c1 … in the file's order (the build's fast path, tuoyu/loading/fast.py).
-- Parameters: $path, $columns (a struct: c0 … cN → 'VARCHAR', one per header cell).
create or replace temp table fast_raw as
select *
from read_csv($path, header = true, auto_detect = false, columns = $columns, delim = ',', quote = '"', escape = '"')
