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

-- One row per institution active at the end of each listed quarter, for institutions in
-- the listed regions or below: its status (filed, counted) and its latest report in the
-- quarter (a month report counts; the latest month wins; at equal dates the quarter row).
create or replace macro institution_quarters(region_codes, quarter_list, count_all) as table
with quarters as (
    select q as quarter, quarter_end(q) as quarter_end
    from (select unnest(quarter_list) as q)
),
in_scope as (
    select distinct region_code
    from region_tree
    where list_contains(region_codes, ancestor_code)
),
active as (
    select i.*, q.quarter, q.quarter_end
    from institutions as i
    join in_scope as s on s.region_code = i.region_code
    cross join quarters as q
    where i.registered_on <= q.quarter_end
      and (i.closed_on is null or i.closed_on > q.quarter_end)
),
latest_report as (
    select r.*
    from reports as r
    where list_contains(quarter_list, r.quarter)
    qualify row_number() over (
        partition by r.institution_id, r.quarter
        order by r.period_end desc, (r.period = r.quarter) desc
    ) = 1
),
joined as (
    select
        a.institution_id, a.name, a.region_code, a.type, a.ownership, a.is_puhui,
        a.is_demonstration, a.is_guidance_center, a.registered_on, a.filed_on, a.closed_on,
        a.quarter, a.quarter_end,
        coalesce(a.filed_on <= a.quarter_end, false) as is_filed,
        r.period as report_period,
        r.period is not null as has_report,
        r.slots, r.enrolled_infant, r.enrolled_toddler, r.enrolled_preschool,
        r.caregivers, r.caregivers_certified, r.meets_standard
    from active as a
    left join latest_report as r
        on r.institution_id = a.institution_id and r.quarter = a.quarter
),
final as (
    select
        *,
        count_all or is_filed as is_counted,
        case when has_report then coalesce(enrolled_infant, 0) + coalesce(enrolled_toddler, 0)
                                  + coalesce(enrolled_preschool, 0) end as enrolled,
        case when has_report then caregivers_required(enrolled_infant, enrolled_toddler,
                                                      enrolled_preschool) end as caregivers_required,
        case when has_report and caregivers is not null
             then caregivers >= caregivers_required(enrolled_infant, enrolled_toddler,
                                                    enrolled_preschool) end as is_staffed,
        case when slots > 0 then (coalesce(enrolled_infant, 0) + coalesce(enrolled_toddler, 0)
                                  + coalesce(enrolled_preschool, 0)) / slots end as occupancy
    from joined
)
select * from final;

-- One row per (listed region, listed quarter): the totals of DESIGN §3 over the region and
-- everything below it, and every indicator computed from them. Report-based figures are
-- over counted institutions that reported in the quarter (one that did not report adds
-- nothing, DESIGN §3); a region with no report at all in the quarter gets null, not 0.
create or replace macro region_quarter_values(region_codes, quarter_list, count_all) as table
with quarters as (
    select q as quarter, quarter_end(q) as quarter_end, year(quarter_end(q)) as year
    from (select unnest(quarter_list) as q)
),
listed as (
    select r.code as region_code, r.name, r.level, r.parent_code, q.quarter, q.quarter_end, q.year
    from regions as r
    cross join quarters as q
    where list_contains(region_codes, r.code)
),
tree as (
    select ancestor_code, region_code
    from region_tree
    where list_contains(region_codes, ancestor_code)
),
iq as (
    select * from institution_quarters(region_codes, quarter_list, count_all)
),
institution_totals as (
    select
        t.ancestor_code as region_code,
        iq.quarter,
        count(*) as n_active,
        count(*) filter (where iq.is_filed) as n_filed,
        count(*) filter (where iq.is_counted) as n_counted,
        count(*) filter (where iq.is_counted and iq.has_report) as n_reported,
        count(*) filter (where iq.is_counted and not iq.has_report) as n_not_reported,
        cast(coalesce(sum(iq.slots) filter (where iq.is_counted), 0) as bigint) as slots,
        cast(coalesce(sum(iq.slots) filter (where iq.is_counted and iq.is_puhui), 0) as bigint) as puhui_slots,
        cast(coalesce(sum(iq.enrolled) filter (where iq.is_counted), 0) as bigint) as enrolled,
        -- ordered so the floating-point sum, and so the figure, never depends on row order
        avg(iq.occupancy order by iq.institution_id) filter (where iq.is_counted) as occupancy_mean,
        min(iq.occupancy) filter (where iq.is_counted) as occupancy_min,
        count(*) filter (where iq.is_counted and iq.meets_standard) as n_meets_standard,
        count(*) filter (where iq.is_counted and iq.meets_standard is not null) as n_standard_known,
        count(*) filter (where iq.is_counted and iq.is_staffed) as n_staffed,
        count(*) filter (where iq.is_counted and iq.is_staffed is not null) as n_staffing_known,
        cast(coalesce(sum(iq.caregivers) filter (where iq.is_counted), 0) as bigint) as caregivers,
        cast(coalesce(sum(iq.caregivers_certified) filter (where iq.is_counted), 0) as bigint) as caregivers_certified,
        -- counts come straight from the institution list (active institutions, DESIGN §3)
        count(*) filter (where iq.is_demonstration) as n_demonstration,
        count(*) filter (where iq.is_demonstration and iq.is_puhui) as n_demonstration_puhui,
        count(*) filter (where iq.type = '幼儿园托班' and iq.ownership = '公办') as n_public_kindergarten_tuoban,
        count(*) filter (where iq.type = '幼儿园托班' and iq.is_puhui) as n_puhui_kindergarten_tuoban,
        count(*) filter (where iq.type = '用人单位办托') as n_workplace,
        count(*) filter (where iq.is_guidance_center) as n_guidance_center,
        count(*) filter (where iq.ownership in ('公办民营', '民办公助')) as n_public_private,
        count(*) filter (where year(iq.registered_on) = year(iq.quarter_end)) as n_new_institutions
    from iq
    join tree as t on t.region_code = iq.region_code
    group by all
),
population_asof as (
    -- the region's own row for the year, else its latest earlier year (DESIGN §3)
    select l.region_code, l.quarter, p.year as population_year,
           p.resident_population, p.under3_population
    from listed as l
    asof left join population as p
        on p.region_code = l.region_code and p.year <= l.year
),
survey_latest as (
    -- per surveyed unit and respondent type, its latest survey year up to the quarter's year
    select t.ancestor_code as region_code, l.quarter, s.respondent_type, s.respondents, s.satisfied
    from listed as l
    join tree as t on t.ancestor_code = l.region_code
    join surveys as s on s.region_code = t.region_code and s.year <= l.year
    qualify s.year = max(s.year) over (partition by t.ancestor_code, l.quarter, s.region_code, s.respondent_type)
),
survey_totals as (
    select region_code, quarter,
           cast(sum(respondents) as bigint) as survey_respondents,
           cast(sum(satisfied) as bigint) as survey_satisfied,
           cast(sum(respondents) filter (where respondent_type = '家庭') as bigint) as survey_respondents_family,
           cast(sum(satisfied) filter (where respondent_type = '家庭') as bigint) as survey_satisfied_family,
           cast(sum(respondents) filter (where respondent_type = '机构') as bigint) as survey_respondents_institution,
           cast(sum(satisfied) filter (where respondent_type = '机构') as bigint) as survey_satisfied_institution
    from survey_latest
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
