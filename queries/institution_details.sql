-- One row per institution active at the end of $quarter in the listed regions or below: its status, latest report in the quarter, occupancy and staffing (from the institution_quarters macro), with its unit's name.
-- Parameters: $region_codes (list of codes), $quarter (like '2024Q3'), $count_all (bool: count unfiled institutions too).
with institution_quarter as (
    select *
    from institution_quarters($region_codes, [$quarter], $count_all)
),
final as (
    select
        iq.institution_id,
        iq.name,
        iq.region_code,
        r.name as region_name,
        iq.type,
        iq.ownership,
        iq.is_puhui,
        iq.is_demonstration,
        iq.is_guidance_center,
        iq.registered_on,
        iq.filed_on,
        iq.is_filed,
        iq.is_counted,
        iq.has_report,
        iq.report_period,
        iq.slots,
        iq.enrolled_infant,
        iq.enrolled_toddler,
        iq.enrolled_preschool,
        iq.enrolled,
        iq.occupancy,
        iq.caregivers,
        iq.caregivers_required,
        iq.caregivers_certified,
        iq.is_staffed,
        iq.meets_standard
    from institution_quarter as iq
    join regions as r on r.code = iq.region_code
)
select * from final
order by region_code, institution_id
