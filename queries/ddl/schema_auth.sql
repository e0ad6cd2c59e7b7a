-- Sign-in and the audit log (issue 9). Passwords are stored only as argon2 hashes.
create sequence if not exists audit_event_seq;

create table if not exists users (
    username            text primary key,
    display_name        text not null,
    password_hash       text not null,
    role                text not null check (role in ('查看', '县区填报', '责任单位', '管理员')),
    region_codes        text,            -- 县区填报: the codes (、-separated) they may write for, and below
    department          text,            -- 责任单位: the department named in tasks' 责任单位
    is_disabled         boolean not null default false,
    failed_attempts     integer not null default 0,
    locked_until        timestamp,
    created_at          timestamp not null default current_timestamp,
    password_changed_at timestamp
);

create table if not exists audit_log (
    event_id bigint primary key default nextval('audit_event_seq'),
    event_at timestamp not null default current_timestamp,
    username text,
    action   text not null,
    detail   text,
    ok       boolean not null
);
