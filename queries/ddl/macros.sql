-- The indicator formulas of DESIGN §3, defined once as DuckDB macros. Every query in
-- queries/ that needs an indicator selects from these; nothing else restates a formula.

-- Quarter arithmetic on quarter labels such as '2024Q3'.
create or replace macro quarter_start(q) as
    make_date(cast(substr(q, 1, 4) as integer), cast(substr(q, 6, 1) as integer) * 3 - 2, 1);

create or replace macro quarter_end(q) as
    cast(quarter_start(q) + interval 3 month - interval 1 day as date);

-- 每千人口托位数 from slots and resident population: the one definition, used by
-- region_quarter_values and by the what-if on 县区对比.
create or replace macro per_1000(slots, resident_population) as
    case when resident_population > 0 then slots * 1000.0 / resident_population end;

-- Caregivers required by 托育机构设置标准（试行）: 乳儿班 1:3, 托小班 1:5, 托大班 1:7,
-- i.e. ceil(infant/3 + toddler/5 + preschool/7), in integers (over 105) so that no
-- floating-point rounding can move the ceiling.
create or replace macro caregivers_required(infant, toddler, preschool) as
    (35 * coalesce(infant, 0) + 21 * coalesce(toddler, 0) + 15 * coalesce(preschool, 0) + 104) // 105;

-- Status at a day (DESIGN §3): active = registered on or before it and not closed on or
-- before it; filed = filed on or before it; counted = filed, or active under the
-- alternative counting rule (count_all).
create or replace macro is_active_at(registered_on, closed_on, day) as
    registered_on <= day and (closed_on is null or closed_on > day);

create or replace macro is_filed_at(filed_on, day) as
    coalesce(filed_on <= day, false);

-- Children enrolled over the three age groups of one report.
create or replace macro enrolled_of(infant, toddler, preschool) as
    coalesce(infant, 0) + coalesce(toddler, 0) + coalesce(preschool, 0);

-- Each listed quarter label ('2024Q3') with its last day.
create or replace macro quarter_ends(quarter_list) as table
    select q as quarter, quarter_end(q) as quarter_end
    from (select unnest(quarter_list) as q);

-- The institutions in the listed regions or anywhere below them.
create or replace macro institutions_within(region_codes) as table
    select i.*
    from institutions as i
    semi join (
        select distinct region_code from region_tree where list_contains(region_codes, ancestor_code)
    ) as s on s.region_code = i.region_code;

-- The counties in a region (the region itself when it is a county), with their names.
create or replace macro counties_within(region) as table
    select r.code as county_code, r.name as county_name
    from region_tree as t
    join regions as r on r.code = t.region_code
    where t.ancestor_code = region and r.level = 'county';

-- One row per institution in the listed regions or below and listed quarter it is active
-- at the end of, with its status (filed, counted).
create or replace macro active_institutions(region_codes, quarter_list, count_all) as table
with quarters as (
    select * from quarter_ends(quarter_list)
),
scoped as materialized (
    -- materialised: the scope is narrowed before it meets the quarters
    select * from institutions_within(region_codes)
),
active as (
    select i.*, q.quarter, q.quarter_end, is_filed_at(i.filed_on, q.quarter_end) as is_filed
    from scoped as i
    cross join quarters as q
    where is_active_at(i.registered_on, i.closed_on, q.quarter_end)
),
final as (
    select *, count_all or is_filed as is_counted
    from active
)
select * from final;

-- The report that counts for each institution in the listed regions or below, active at
-- the end of a listed quarter: its latest report dated within the quarter (a month report
-- counts; the latest month wins; at equal dates the quarter row), with the per-institution
-- figures of DESIGN §3 (enrolled, occupancy, caregivers required, staffed). Only an
-- institution-quarter with month reports has more than one candidate, so only those are
-- ranked; the rest keep their one row as it is.
create or replace macro quarter_reports(region_codes, quarter_list, count_all) as table
with quarters as (
    select * from quarter_ends(quarter_list)
),
scoped as (
    select institution_id, region_code, is_puhui, registered_on, filed_on, closed_on
    from institutions_within(region_codes)
),
candidate as (
    -- the scope's reports first, one join, so that nothing below reads the rest of the table
    select r.*, s.region_code, s.is_puhui, q.quarter_end,
           is_filed_at(s.filed_on, q.quarter_end) as is_filed
    from reports as r
    join scoped as s on s.institution_id = r.institution_id
    join quarters as q on q.quarter = r.quarter
    where list_contains(quarter_list, r.quarter)
      and is_active_at(s.registered_on, s.closed_on, q.quarter_end)
),
month_reported as (
    select distinct institution_id, quarter
    from candidate
    where period <> quarter
),
latest as (
    select c.*
    from candidate as c
    anti join month_reported as m on m.institution_id = c.institution_id and m.quarter = c.quarter
    union all
    select c.*
    from candidate as c
    semi join month_reported as m on m.institution_id = c.institution_id and m.quarter = c.quarter
    qualify row_number() over (
        partition by c.institution_id, c.quarter
        order by c.period_end desc, (c.period = c.quarter) desc
    ) = 1
),
final as (
    select
        *,
        count_all or is_filed as is_counted,
        enrolled_of(enrolled_infant, enrolled_toddler, enrolled_preschool) as enrolled,
        caregivers_required(enrolled_infant, enrolled_toddler, enrolled_preschool) as caregivers_required,
        case when caregivers is not null
             then caregivers >= caregivers_required(enrolled_infant, enrolled_toddler, enrolled_preschool)
        end as is_staffed,
        case when slots > 0
             then enrolled_of(enrolled_infant, enrolled_toddler, enrolled_preschool) / slots
        end as occupancy
    from latest
)
select * from final;

-- One row per institution active at the end of each listed quarter, for institutions in
-- the listed regions or below: its status and its report for the quarter (quarter_reports;
-- the report columns are null, and has_report false, when it sent none).
create or replace macro institution_quarters(region_codes, quarter_list, count_all) as table
with active as (
    select * from active_institutions(region_codes, quarter_list, count_all)
),
reported as (
    select * from quarter_reports(region_codes, quarter_list, count_all)
),
final as (
    select
        a.institution_id, a.name, a.region_code, a.type, a.ownership, a.is_puhui,
        a.is_demonstration, a.is_guidance_center, a.registered_on, a.filed_on, a.closed_on,
        a.quarter, a.quarter_end, a.is_filed,
        r.period as report_period,
        r.period is not null as has_report,
        r.slots, r.enrolled_infant, r.enrolled_toddler, r.enrolled_preschool,
        r.caregivers, r.caregivers_certified, r.meets_standard,
        a.is_counted, r.enrolled, r.caregivers_required, r.is_staffed, r.occupancy
    from active as a
    left join reported as r
        on r.institution_id = a.institution_id and r.quarter = a.quarter
)
select * from final;

-- One row per (unit, quarter, filed or not) for the units in the listed regions or below that
-- have institutions active at the end of a listed quarter: the counts of DESIGN §3 straight
-- from the institution list, and the report-based totals over the active institutions that
-- reported in the quarter. Kept as table unit_quarter_totals (tuoyu/totals.py); whether an
-- unfiled institution counts is left to region_quarter_values (count_all).
create or replace macro unit_quarter_totals_of(region_codes, quarter_list) as table
with status_totals as (
    select
        region_code,
        quarter,
        is_filed,
        count(*) as n_active,
        count(*) filter (where is_demonstration) as n_demonstration,
        count(*) filter (where is_demonstration and is_puhui) as n_demonstration_puhui,
        count(*) filter (where type = '幼儿园托班' and ownership = '公办') as n_public_kindergarten_tuoban,
        count(*) filter (where type = '幼儿园托班' and is_puhui) as n_puhui_kindergarten_tuoban,
        count(*) filter (where type = '用人单位办托') as n_workplace,
        count(*) filter (where is_guidance_center) as n_guidance_center,
        count(*) filter (where ownership in ('公办民营', '民办公助')) as n_public_private,
        count(*) filter (where year(registered_on) = year(quarter_end)) as n_new_institutions
    from active_institutions(region_codes, quarter_list, true)
    group by all
),
report_totals as (
    select
        region_code,
        quarter,
        is_filed,
        count(*) as n_reported,
        cast(sum(slots) as bigint) as slots,
        cast(sum(slots) filter (where is_puhui) as bigint) as puhui_slots,
        cast(sum(enrolled) as bigint) as enrolled,
        -- summed as exact decimals, so that the mean never depends on row order
        sum(cast(occupancy as decimal(38, 24))) as occupancy_sum,
        count(occupancy) as n_occupancy,
        min(occupancy) as occupancy_min,
        count(*) filter (where meets_standard) as n_meets_standard,
        count(meets_standard) as n_standard_known,
        count(*) filter (where is_staffed) as n_staffed,
        count(is_staffed) as n_staffing_known,
        cast(sum(caregivers) as bigint) as caregivers,
        -- over the reports that give caregivers, so that both sums cover the same institutions
        cast(sum(caregivers_required) filter (where caregivers is not null) as bigint) as caregivers_required,
        cast(sum(caregivers_certified) as bigint) as caregivers_certified
    from quarter_reports(region_codes, quarter_list, true)
    group by all
),
final as (
    -- a report belongs to an institution active at the quarter's end, so to a status row
    select
        s.*,
        coalesce(r.n_reported, 0) as n_reported,
        r.slots, r.puhui_slots, r.enrolled, r.occupancy_sum,
        coalesce(r.n_occupancy, 0) as n_occupancy,
        r.occupancy_min,
        coalesce(r.n_meets_standard, 0) as n_meets_standard,
        coalesce(r.n_standard_known, 0) as n_standard_known,
        coalesce(r.n_staffed, 0) as n_staffed,
        coalesce(r.n_staffing_known, 0) as n_staffing_known,
        r.caregivers, r.caregivers_required, r.caregivers_certified
    from status_totals as s
    left join report_totals as r using (region_code, quarter, is_filed)
)
select * from final;

-- One row per (listed region, listed quarter): the totals of DESIGN §3 over the region and
-- everything below it, and every indicator computed from them. Report-based figures are
-- over counted institutions that reported in the quarter (one that did not report adds
-- nothing, DESIGN §3); a region with no report at all in the quarter gets null, not 0.
-- `unit_totals` names the table holding unit_quarter_totals_of() rows for these regions and
-- quarters: the stored unit_quarter_totals, or a temporary one computed for quarters it
-- does not hold (tuoyu/indicators.py decides).
create or replace macro region_quarter_values(region_codes, quarter_list, count_all, unit_totals) as table
with quarters as (
    select *, year(quarter_end) as year from quarter_ends(quarter_list)
),
codes as (
    -- the listed codes as rows: a join, where list_contains() over thousands of codes would
    -- be planned as an IN list of thousands of constants
    select distinct unnest(region_codes) as code
),
listed as (
    select r.code as region_code, r.name, r.level, r.parent_code, q.quarter, q.quarter_end, q.year
    from regions as r
    semi join codes as c on c.code = r.code
    cross join quarters as q
),
tree as (
    select t.ancestor_code, t.region_code
    from region_tree as t
    semi join codes as c on c.code = t.ancestor_code
),
institution_totals as (
    -- each unit's totals rolled up to every listed region above it (or itself); whether an
    -- unfiled institution counts is the counting rule (count_all)
    select
        t.ancestor_code as region_code,
        u.quarter,
        cast(sum(u.n_active) as bigint) as n_active,
        cast(coalesce(sum(u.n_active) filter (where u.is_filed), 0) as bigint) as n_filed,
        cast(coalesce(sum(u.n_active) filter (where count_all or u.is_filed), 0) as bigint) as n_counted,
        cast(coalesce(sum(u.n_reported) filter (where count_all or u.is_filed), 0) as bigint) as n_reported,
        cast(coalesce(sum(u.n_active - u.n_reported) filter (where count_all or u.is_filed), 0) as bigint)
            as n_not_reported,
        cast(coalesce(sum(u.slots) filter (where count_all or u.is_filed), 0) as bigint) as slots,
        cast(coalesce(sum(u.puhui_slots) filter (where count_all or u.is_filed), 0) as bigint) as puhui_slots,
        cast(coalesce(sum(u.enrolled) filter (where count_all or u.is_filed), 0) as bigint) as enrolled,
        case when sum(u.n_occupancy) filter (where count_all or u.is_filed) > 0
             then cast(sum(u.occupancy_sum) filter (where count_all or u.is_filed) as double)
                  / sum(u.n_occupancy) filter (where count_all or u.is_filed) end as occupancy_mean,
        min(u.occupancy_min) filter (where count_all or u.is_filed) as occupancy_min,
        cast(coalesce(sum(u.n_meets_standard) filter (where count_all or u.is_filed), 0) as bigint) as n_meets_standard,
        cast(coalesce(sum(u.n_standard_known) filter (where count_all or u.is_filed), 0) as bigint) as n_standard_known,
        cast(coalesce(sum(u.n_staffed) filter (where count_all or u.is_filed), 0) as bigint) as n_staffed,
        cast(coalesce(sum(u.n_staffing_known) filter (where count_all or u.is_filed), 0) as bigint) as n_staffing_known,
        cast(coalesce(sum(u.caregivers) filter (where count_all or u.is_filed), 0) as bigint) as caregivers,
        cast(coalesce(sum(u.caregivers_required) filter (where count_all or u.is_filed), 0) as bigint)
            as caregivers_required,
        cast(coalesce(sum(u.caregivers_certified) filter (where count_all or u.is_filed), 0) as bigint)
            as caregivers_certified,
        cast(sum(u.n_demonstration) as bigint) as n_demonstration,
        cast(sum(u.n_demonstration_puhui) as bigint) as n_demonstration_puhui,
        cast(sum(u.n_public_kindergarten_tuoban) as bigint) as n_public_kindergarten_tuoban,
        cast(sum(u.n_puhui_kindergarten_tuoban) as bigint) as n_puhui_kindergarten_tuoban,
        cast(sum(u.n_workplace) as bigint) as n_workplace,
        cast(sum(u.n_guidance_center) as bigint) as n_guidance_center,
        cast(sum(u.n_public_private) as bigint) as n_public_private,
        cast(sum(u.n_new_institutions) as bigint) as n_new_institutions
    from query_table(unit_totals) as u
    join tree as t on t.region_code = u.region_code
    where list_contains(quarter_list, u.quarter)
    group by all
),
population_asof as (
    -- the region's own row for the year, else its latest earlier year (DESIGN §3); a join
    -- and arg_max, cheaper here than an asof join for a few hundred regions
    select l.region_code, l.quarter, max(p.year) as population_year,
           arg_max(p.resident_population, p.year) as resident_population,
           arg_max(p.under3_population, p.year) as under3_population
    from listed as l
    join population as p on p.region_code = l.region_code and p.year <= l.year
    group by all
),
survey_latest as (
    -- per surveyed unit in scope and respondent type, its latest survey up to each listed
    -- quarter's year (one row per unit, year and type: the key of surveys)
    select y.year, s.region_code, s.respondent_type,
           arg_max(s.respondents, s.year) as respondents,
           arg_max(s.satisfied, s.year) as satisfied
    from (select distinct year from quarters) as y
    join surveys as s on s.year <= y.year
    semi join tree as t on t.region_code = s.region_code
    group by all
),
survey_totals as (
    select l.region_code, l.quarter,
           cast(sum(s.respondents) as bigint) as survey_respondents,
           cast(sum(s.satisfied) as bigint) as survey_satisfied,
           cast(sum(s.respondents) filter (where s.respondent_type = '家庭') as bigint) as survey_respondents_family,
           cast(sum(s.satisfied) filter (where s.respondent_type = '家庭') as bigint) as survey_satisfied_family,
           cast(sum(s.respondents) filter (where s.respondent_type = '机构') as bigint) as survey_respondents_institution,
           cast(sum(s.satisfied) filter (where s.respondent_type = '机构') as bigint) as survey_satisfied_institution
    from listed as l
    join tree as t on t.ancestor_code = l.region_code
    join survey_latest as s on s.region_code = t.region_code and s.year = l.year
    group by all
),
incident_totals as (
    -- 重大 or worse, in the three years ending on the quarter's last day
    select l.region_code, l.quarter, count(*) as major_incidents_3y
    from listed as l
    join tree as t on t.ancestor_code = l.region_code
    join institutions as i on i.region_code = t.region_code
    join incidents as x on x.institution_id = i.institution_id
    where x.severity in ('重大', '特别重大')
      and x.occurred_on <= l.quarter_end
      and x.occurred_on > l.quarter_end - interval 3 year
    group by all
),
totals as (
    select
        l.region_code, l.name, l.level, l.parent_code, l.quarter, l.quarter_end,
        p.population_year, p.resident_population, p.under3_population,
        coalesce(it.n_active, 0) as n_active,
        coalesce(it.n_filed, 0) as n_filed,
        coalesce(it.n_counted, 0) as n_counted,
        coalesce(it.n_reported, 0) as n_reported,
        coalesce(it.n_not_reported, 0) as n_not_reported,
        coalesce(it.slots, 0) as slots,
        coalesce(it.puhui_slots, 0) as puhui_slots,
        coalesce(it.enrolled, 0) as enrolled,
        it.occupancy_mean, it.occupancy_min,
        coalesce(it.n_meets_standard, 0) as n_meets_standard,
        coalesce(it.n_standard_known, 0) as n_standard_known,
        coalesce(it.n_staffed, 0) as n_staffed,
        coalesce(it.n_staffing_known, 0) as n_staffing_known,
        coalesce(it.caregivers, 0) as caregivers,
        coalesce(it.caregivers_required, 0) as caregivers_required,
        coalesce(it.caregivers_certified, 0) as caregivers_certified,
        coalesce(it.n_demonstration, 0) as n_demonstration,
        coalesce(it.n_demonstration_puhui, 0) as n_demonstration_puhui,
        coalesce(it.n_public_kindergarten_tuoban, 0) as n_public_kindergarten_tuoban,
        coalesce(it.n_puhui_kindergarten_tuoban, 0) as n_puhui_kindergarten_tuoban,
        coalesce(it.n_workplace, 0) as n_workplace,
        coalesce(it.n_guidance_center, 0) as n_guidance_center,
        coalesce(it.n_public_private, 0) as n_public_private,
        coalesce(it.n_new_institutions, 0) as n_new_institutions,
        st.survey_respondents, st.survey_satisfied,
        st.survey_respondents_family, st.survey_satisfied_family,
        st.survey_respondents_institution, st.survey_satisfied_institution,
        coalesce(x.major_incidents_3y, 0) as major_incidents_3y
    from listed as l
    left join institution_totals as it using (region_code, quarter)
    left join population_asof as p using (region_code, quarter)
    left join survey_totals as st using (region_code, quarter)
    left join incident_totals as x using (region_code, quarter)
),
final as (
    select
        *,
        case when n_reported > 0 then per_1000(slots, resident_population) end as slots_per_1000,
        case when n_reported > 0 and under3_population > 0
             then enrolled / under3_population end as enrolment_rate,
        case when n_active > 0 then n_filed / n_active end as filing_rate,
        case when n_standard_known > 0 then n_meets_standard / n_standard_known end as standard_rate,
        case when n_staffing_known > 0 then n_staffed / n_staffing_known end as staffing_rate,
        case when caregivers_required > 0 then caregivers / caregivers_required end as staffing_coverage,
        case when caregivers > 0 then caregivers_certified / caregivers end as certified_rate,
        case when slots > 0 then puhui_slots / slots end as puhui_slot_share,
        case when survey_respondents > 0 then survey_satisfied / survey_respondents end as satisfaction,
        case when survey_respondents_family > 0
             then survey_satisfied_family / survey_respondents_family end as satisfaction_family,
        case when survey_respondents_institution > 0
             then survey_satisfied_institution / survey_respondents_institution end as satisfaction_institution
    from totals
)
select * from final;

-- What indicators.values() returns per (listed region, listed quarter): region_quarter_values,
-- the directly reported figures (健康管理率 …: the region's own latest value up to the
-- quarter's end) and 当年新增托位数 (slots less the previous year's Q4 slots, both reported;
-- null unless that Q4 is listed too). Stored for every region as table region_values.
create or replace macro indicator_rows(region_codes, quarter_list, count_all, unit_totals) as table
with base as (
    select * from region_quarter_values(region_codes, quarter_list, count_all, unit_totals)
),
reported as (
    select
        b.region_code,
        b.quarter,
        arg_max(ri.value, ri.period_end) filter (where ri.indicator = 'health_management_rate')
            as health_management_rate,
        arg_max(ri.value, ri.period_end) filter (where ri.indicator = 'parenting_knowledge_rate')
            as parenting_knowledge_rate,
        arg_max(ri.value, ri.period_end) filter (where ri.indicator = 'newborn_guidance_coverage')
            as newborn_guidance_coverage
    from base as b
    join region_indicators as ri on ri.region_code = b.region_code and ri.period_end <= b.quarter_end
    group by all
),
prior_q4 as (
    select region_code, year(quarter_end) + 1 as year, slots, n_reported
    from base
    where quarter_end = make_date(year(quarter_end), 12, 31)
),
final as (
    select
        b.*,
        rp.health_management_rate, rp.parenting_knowledge_rate, rp.newborn_guidance_coverage,
        case when b.n_reported > 0 and p.n_reported > 0 then b.slots - p.slots end as new_slots
    from base as b
    left join reported as rp using (region_code, quarter)
    left join prior_q4 as p on p.region_code = b.region_code and p.year = year(b.quarter_end)
)
select * from final;
