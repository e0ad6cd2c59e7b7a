-- 简报期号: the number each plan's briefing for a region and quarter was given when first
-- made, so that a briefing made again keeps it (tuoyu/briefing/issues.py issue_number).
-- Idempotent: applied after schema.sql on every read-write open (tuoyu/db.py _schema_text).

create table if not exists briefing_issues (
    plan_code   text not null,
    region_code text not null,
    quarter     text not null,
    issue_no    integer not null,
    numbered_at timestamp not null default current_timestamp,
    primary key (plan_code, region_code, quarter),
    unique (plan_code, issue_no)
);
