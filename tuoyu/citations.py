"""Sources as a reader cites them: the plan's 文号 and the clause ("闽卫人口〔2021〕88号 三、(二)"),
never the seed file's internal number ("002 三、(二)").

The plan files cite a clause as "<seed number> <clause>" (data/base/README.md); each plan
row carries its seed number in `source`, so the number maps to that plan's 文号, or to its
title in 《》 where the document has none (the Zhongwei plan)."""

import re

import pandas as pd

from . import indicators

# a seed number: three digits followed by a space, not inside a longer number
_SEED = re.compile(r"(?<![0-9])([0-9]{3}) ")


def documents(con) -> dict[str, str]:
    """Seed number → how the document is cited: its 文号, else 《title》. Kept per build
    (indicators.per_build: only a build writes the plans) and shared: read it, never change it."""
    def compute():
        plans = indicators.run_once(con, "plans")
        return {row["source"]: (row["doc_number"] if isinstance(row["doc_number"], str) and row["doc_number"]
                                else f"《{row['title']}》")
                for row in plans.to_dict("records") if isinstance(row["source"], str) and row["source"]}
    return indicators.per_build(con, "documents", None, compute)


def cite(source, docs: dict[str, str]) -> str:
    """A source text with each seed number replaced by its document; a document named
    again in the same text is not repeated ("《…方案》一、；附件2 第1条"). Text without a
    seed number (a national standard, a note) is returned as it is; None as ""."""
    if source is None or (isinstance(source, float) and pd.isna(source)):
        return ""
    named = set()

    def name(match: re.Match) -> str:
        seed = match.group(1)
        if seed not in docs:
            return match.group(0)
        if seed in named:
            return ""
        named.add(seed)
        label = docs[seed]
        return label if label.endswith("》") else label + " "

    return _SEED.sub(name, str(source))
