-- Fill region_tree: every (ancestor, descendant) pair, each region paired with itself at
-- depth 0. The depth bound stops a cycle in bad parent codes from running forever.
insert into region_tree
with recursive tree(ancestor_code, region_code, depth) as (
    select code, code, 0 from regions
    union all
    select tree.ancestor_code, r.code, tree.depth + 1
    from tree
    join regions as r on r.parent_code = tree.region_code
    where tree.depth < 8
)
select * from tree
