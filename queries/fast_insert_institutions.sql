-- Store the institutions checked on the build's fast path (temp table fast_institutions), the flags defaulting to false as write.prepare_rows does.
-- No parameters.
insert into institutions by name
select * replace (
    coalesce(is_puhui, false) as is_puhui,
    coalesce(is_demonstration, false) as is_demonstration,
    coalesce(is_guidance_center, false) as is_guidance_center
)
from fast_institutions
