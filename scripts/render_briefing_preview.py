"""Render the first page of the sample briefing (ZHONGWEI, 中卫市 640500, 2024Q4) to
docs/briefing_page1.png for the README: a fresh database from the shipped sample in a
temporary folder, the PDF through headless Chromium, page 1 through poppler's pdftoppm.

    .venv/bin/python scripts/render_briefing_preview.py [--out docs/briefing_page1.png]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tuoyu import briefing, paths  # noqa: E402
from tuoyu.loading import database  # noqa: E402
from tuoyu.loading.build import build_database  # noqa: E402

PLAN, REGION, PERIOD = "ZHONGWEI", "640500", "2024Q4"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "briefing_page1.png"))
    parser.add_argument("--dpi", type=int, default=80)
    args = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        print("需要 poppler-utils 的 pdftoppm（apt-get install poppler-utils）", file=sys.stderr)
        return 1
    out = Path(args.out)
    with tempfile.TemporaryDirectory(prefix="tuoyu-preview-") as tmp:
        path = Path(tmp) / "sample.duckdb"
        build_database(path, [paths.BASE_DATA, paths.SAMPLE_DATA])
        con = database.open_database(path)
        try:
            files = briefing.generate(con, PLAN, REGION, PERIOD, formats=(".pdf",))
        finally:
            con.close()
        if files.pdf is None:
            print("；".join(files.errors), file=sys.stderr)
            return 1
        pdf = Path(tmp) / "briefing.pdf"
        pdf.write_bytes(files.pdf)
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", str(args.dpi), "-f", "1", "-l", "1", "-singlefile",
                        str(pdf), str(out.with_suffix(""))], check=True)
    print(files.headline)
    print(f"已写入 {out}（用时 {files.seconds:.1f} 秒）")
    return 0


if __name__ == "__main__":
    sys.exit(main())
