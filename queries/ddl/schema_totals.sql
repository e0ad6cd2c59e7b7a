-- Stored totals (issue #8), derived and never edited: tuoyu/totals.py rewrites them after a
-- build, an import or an undo, and db.upgrade() after the formulas change. They hold the
-- quarters in meta unit_totals_from .. unit_totals_to.
-- unit_quarter_totals: per (institution's own unit, quarter, is_filed), what
-- region_quarter_values rolls up, so that a page reads a few thousand rows instead of every
-- report of the quarter. Table region_values (indicator_rows for every region, both counting
-- rules) is created by tuoyu/totals.py from the macro's own columns, so it is not listed here.
-- Idempotent: applied after schema.sql on every read-write open.

create table if not exists unit_quarter_totals (
    region_code                 text not null,
    quarter                     text not null,
    is_filed                    boolean not null,
    n_active                    bigint not null,
    n_demonstration             bigint not null,
    n_demonstration_puhui       bigint not null,
    n_public_kindergarten_tuoban bigint not null,
    n_puhui_kindergarten_tuoban bigint not null,
    n_workplace                 bigint not null,
    n_guidance_center           bigint not null,
    n_public_private            bigint not null,
    n_new_institutions          bigint not null,
    n_reported                  bigint not null,
    slots                       bigint,
    puhui_slots                 bigint,
    enrolled                    bigint,
    occupancy_sum               decimal(38, 24),
    n_occupancy                 bigint not null,
    occupancy_min               double,
    n_meets_standard            bigint not null,
    n_standard_known            bigint not null,
    n_staffed                   bigint not null,
    n_staffing_known            bigint not null,
    caregivers                  bigint,
    caregivers_required         bigint,
    caregivers_certified        bigint
);
