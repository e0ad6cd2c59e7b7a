-- Directly reported region figures (健康管理率 …): each region's own latest value per indicator
-- up to each quarter's end. Parameters: $region_codes (list), $quarters (list of quarter labels).
with quarters as (
    select * from quarter_ends($quarters)
),
final as (
    select ri.region_code, q.quarter, ri.indicator, ri.value, ri.period, ri.source
    from region_indicators as ri
    join quarters as q on ri.period_end <= q.quarter_end
    where list_contains($region_codes, ri.region_code)
    qualify row_number() over (
        partition by ri.region_code, q.quarter, ri.indicator order by ri.period_end desc
    ) = 1
)
select * from final
order by region_code, quarter, indicator
