-- 任务台账: every change to a task's status or progress note (who, when, old → new).
-- Idempotent: applied after schema.sql on every read-write open (tuoyu/db.py _schema_text).
-- No foreign key to tasks: a rebuilt or re-imported tasks table must not be blocked by it.

create sequence if not exists task_history_seq;

create table if not exists task_history (
    change_id  bigint primary key default nextval('task_history_seq'),
    task_id    text not null,
    changed_at timestamp not null,
    changed_by text not null check (trim(changed_by) <> ''),
    old_status text,
    new_status text not null check (new_status in ('未开始', '进行中', '已完成', '滞后')),
    old_note   text,
    new_note   text
);
