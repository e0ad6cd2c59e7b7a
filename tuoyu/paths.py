"""Where the project's files are: the data folder (sample, plans, the 口径 and wording files)
and the default database. A definition, so that anything may read it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
BASE_DATA = DATA / "base"      # the plans, their targets, phases and tasks; the national series
SAMPLE_DATA = DATA / "sample"  # 示例数据
DEFAULT_DB = ROOT / "var" / "tuoyu.duckdb"
