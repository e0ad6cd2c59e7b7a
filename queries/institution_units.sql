-- The units (own region codes) of the listed institutions. Parameters: $institution_ids (list).
select distinct region_code
from institutions
where list_contains($institution_ids, institution_id)
order by region_code
