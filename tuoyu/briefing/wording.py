"""The briefing's and the notices' words: every sentence is a template of data/briefing.toml
with the figures filled in, and the few ways a figure or a list is written there."""

import tomllib
from functools import lru_cache

from .. import paths

TEMPLATES_FILE = paths.DATA / "briefing.toml"
CHINESE_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


@lru_cache(maxsize=1)
def templates() -> dict:
    with open(TEMPLATES_FILE, "rb") as f:
        return tomllib.load(f)


def phrase(key: str, **fields) -> str:
    """The sentence `key` of [text] with its fields filled in."""
    return templates()["text"][key].format(**fields)


def bar(v) -> str:
    """A target as the plan writes it: 1.2, 1.5, 1."""
    return f"{float(v):g}"


def scope(region_name: str) -> str:
    """全市 / 全县 / 全区 … from the name's ending (data/briefing.toml [scope])."""
    for suffix in sorted(templates()["scope"], key=len, reverse=True):
        if region_name.endswith(suffix):
            return templates()["scope"][suffix]
    return region_name
