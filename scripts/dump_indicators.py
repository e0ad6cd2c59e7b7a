"""Every figure the CLI's `indicators --json` gives, for every unit of every plan of a
database at one quarter under both counting rules, as one JSON file: run it before and
after a change that must not move a figure (a refactor, a speed-up) and compare the files.

    .venv/bin/python scripts/dump_indicators.py --db var/tuoyu.duckdb --period 2024Q4 -o before.json
    .venv/bin/python scripts/dump_indicators.py --db var/tuoyu.duckdb --period 2024Q4 -o after.json
    cmp before.json after.json
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tuoyu import cli, db, indicators  # noqa: E402
from tuoyu.snapshot import snapshot  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--period", required=True)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    con = db.connect(args.db)
    out = {}
    try:
        for plan, region in db.run(con, "plans")[["plan_code", "region_code"]].itertuples(index=False):
            for code in db.run(con, "plan_units", region_code=region)["code"]:
                for counting in sorted(indicators.COUNTING_RULES):
                    out[f"{plan} {code} {counting}"] = snapshot(con, code, args.period, plan, counting)
    finally:
        con.close()
    Path(args.output).write_text(json.dumps(out, ensure_ascii=False, indent=1, sort_keys=True,
                                            default=cli._json_default), encoding="utf-8")
    print(f"{len(out)} 个快照写入 {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
