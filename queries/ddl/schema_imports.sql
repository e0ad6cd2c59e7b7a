-- Import batches (数据上报): every file written through tuoyu/uploads/write.py is one numbered
-- batch, and every row it added or replaced is kept here so that the batch can be undone.
-- Idempotent: applied after schema.sql on every read-write open.

create table if not exists import_batches (
    batch_id      integer primary key,     -- 第N批: max + 1, assigned inside the import's transaction
    imported_at   timestamp not null,
    imported_by   text not null,           -- 记录人/上报单位 as typed on the page, or --by on the CLI
    file_name     text not null,
    sha256        text not null,           -- of the file's bytes as received
    table_name    text not null,
    rows_added    integer not null check (rows_added >= 0),
    rows_replaced integer not null check (rows_replaced >= 0),
    rows_unchanged integer not null default 0 check (rows_unchanged >= 0),
    undone_at     timestamp,
    undone_by     text
);

-- One row per table row a batch wrote. key_json is the row's key (tuoyu.tables.KEYS, in
-- that order) as a JSON array of text; old_json the row before the batch (replaced rows
-- only), new_json the row the batch wrote, both as JSON objects of every column. Undo
-- deletes added rows and writes old_json back over replaced ones, after checking that the
-- row still equals new_json.
create table if not exists import_batch_rows (
    batch_id   integer not null,
    table_name text not null,
    key_json   text not null,
    action     text not null check (action in ('added', 'replaced')),
    old_json   text,
    new_json   text not null,
    check (action = 'added' or old_json is not null),
    primary key (batch_id, table_name, key_json)
);
create index if not exists import_batch_rows_key on import_batch_rows (table_name, key_json);
