"""数据上报: county staff send CSV or XLSX files; each upload is read (read.py), checked
whole (checks.py) and, when clean, written as numbered batches (write.py, through the one
row writer rows.py); a batch can be undone (history.py); templates.py makes the collection
templates. The command-line subcommands are in tuoyu/cli/data.py.

Re-sending: a row whose key (tuoyu.tables.KEYS) is already in the store replaces that row,
and the batch keeps the old one; an identical row is left alone (an upload that changes
nothing makes no batch, so sending the same file twice changes nothing). For reports the
key is (institution, period) exactly as reported: a re-sent 2024Q3 replaces the 2024Q3
row and a re-sent 2024-09 the 2024-09 row, and a quarter row never deletes the month rows
of its quarter (nor the reverse). That never double-counts, because the indicators take
one report per institution and quarter (the latest period end; at equal ends the quarter
row, DESIGN §3). For institutions, re-sending an id updates the institution."""
