-- The store: every table of DESIGN §2, with the constraints the database itself can hold.
-- The loader (tuoyu/loading/) checks the same rules first so it can report them in Chinese.

create table if not exists meta (
    key   text primary key,
    value text
);

create table if not exists regions (
    code        text primary key,
    name        text not null,
    level       text not null check (level in ('national', 'province', 'city', 'county', 'township')),
    parent_code text
);

-- Every (ancestor, descendant) pair including each region with itself; rebuilt on every
-- load so that "R and everything below it" is one join instead of a recursive query.
create table if not exists region_tree (
    ancestor_code text not null,
    region_code   text not null,
    depth         integer not null,
    primary key (ancestor_code, region_code)
);

create table if not exists population (
    region_code         text not null references regions (code),
    year                integer not null check (year between 1949 and 2100),
    resident_population bigint not null check (resident_population > 0),
    under3_population   bigint check (under3_population >= 0),
    births              bigint check (births >= 0),
    primary key (region_code, year)
);

create table if not exists institutions (
    institution_id     text primary key,
    name               text not null,
    region_code        text not null references regions (code),
    type               text not null check (type in ('托育机构', '幼儿园托班', '用人单位办托', '社区托育点', '家庭托育点')),
    ownership          text not null check (ownership in ('公办', '民办', '公办民营', '民办公助')),
    is_puhui           boolean not null default false,
    registered_on      date not null,
    filed_on           date,
    closed_on          date check (closed_on >= registered_on),
    is_demonstration   boolean not null default false,
    is_guidance_center boolean not null default false
);

-- No foreign key to institutions: DuckDB checks one row at a time, which doubled the
-- national build (2.4 million reports, ~5 s of ~17). Every path that writes reports checks
-- the institution exists first, in Chinese: the loader (check_rules / fast_load), imports
-- (known keys), and undo refuses to remove an institution a live batch's reports refer to.
create table if not exists reports (
    institution_id       text not null,
    period               text not null,   -- as reported: 2024Q3, or a month 2024-09
    quarter              text not null,   -- the quarter the period lies in: 2024Q3
    period_end           date not null,   -- last day of the period
    slots                integer not null check (slots >= 0),
    enrolled_infant      integer check (enrolled_infant >= 0),
    enrolled_toddler     integer check (enrolled_toddler >= 0),
    enrolled_preschool   integer check (enrolled_preschool >= 0),
    caregivers           integer check (caregivers >= 0),
    caregivers_certified integer check (caregivers_certified >= 0),
    meets_standard       boolean,
    check (caregivers_certified <= caregivers)
    -- key (institution_id, period): a unique index added by db.add_keys (ddl/reports_key.sql),
    -- at once for a new schema, after the rows for a build
);
-- No index on quarter: with ~23 quarters each quarter is far too many rows for DuckDB to
-- scan by index (it never did), and the index cost the national build ~1.5 s. A database
-- built before loses it when opened (db.is_current sees this text changed).
drop index if exists reports_quarter;

create table if not exists region_indicators (
    region_code text not null references regions (code),
    period      text not null,
    quarter     text not null,
    period_end  date not null,
    indicator   text not null,
    value       double not null,
    source      text,
    primary key (region_code, period, indicator)
);

create table if not exists surveys (
    region_code     text not null references regions (code),
    year            integer not null,
    respondent_type text not null check (respondent_type in ('家庭', '机构')),
    respondents     integer not null check (respondents > 0),
    satisfied       integer not null check (satisfied >= 0),
    check (satisfied <= respondents),
    primary key (region_code, year, respondent_type)
);

create table if not exists incidents (
    institution_id text not null references institutions (institution_id),
    occurred_on    date not null,
    severity       text not null check (severity in ('一般', '较大', '重大', '特别重大')),
    summary        text
);

create table if not exists plans (
    plan_code   text primary key,
    title       text not null,
    doc_number  text,
    issuer      text,
    issued_on   date,
    region_code text not null,
    source      text
);

create table if not exists targets (
    plan_code   text not null references plans (plan_code),
    region_code text not null,
    indicator   text not null,
    year        integer not null,
    target      double,
    comparator  text not null check (comparator in ('>=', '>', '<=')),
    scope       text not null check (scope in ('region', 'each_child', 'each_city')),
    benchmark   text not null default 'value' check (benchmark in ('value', 'provincial_average')),
    source      text not null,
    note        text,
    reading     text,   -- how a vague or undated clause was read (原文“多家”，按≥2家计)
    check (benchmark = 'provincial_average' or target is not null),
    primary key (plan_code, region_code, indicator, year, scope, benchmark)
);

create table if not exists phases (
    plan_code text not null references plans (plan_code),
    seq       integer not null,
    phase     text not null,
    starts_on date,
    ends_on   date not null,
    source    text not null,
    primary key (plan_code, seq)
);

create table if not exists tasks (
    task_id           text primary key,
    plan_code         text not null references plans (plan_code),
    section           text not null,
    title             text not null,
    responsible_units text not null,
    due               date,
    status            text not null check (status in ('未开始', '进行中', '已完成', '滞后')),
    progress_note     text,
    updated_on        date,
    indicators        text,
    source            text not null,
    note              text    -- the document's own wording where responsible_units maps it
);

-- Columns added after a release: a database built by an older version gains them when it is
-- opened (db.upgrade), so its imported data and task history stay.
alter table targets add column if not exists reading text;
alter table tasks add column if not exists note text;
