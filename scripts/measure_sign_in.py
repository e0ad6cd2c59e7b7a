"""How long a wrong sign-in takes for a name that exists and for one that does not (issue
16 item 7): the two must not be told apart by time. The back-off and any lock are reset
between attempts, so that each one does the full work.

    .venv/bin/python scripts/measure_sign_in.py [attempts]"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tuoyu import auth, db  # noqa: E402
from tuoyu.loading.build import build_database  # noqa: E402


def timed(con, name: str) -> float:
    for backoff in ("BY_NAME", "BY_CLIENT"):
        if hasattr(auth, backoff):
            getattr(auth, backoff).clear()
    con.execute("update users set failed_attempts = 0, locked_until = null")
    started = time.perf_counter()
    try:
        auth.sign_in(con, name, "wrong-password")
    except auth.AuthError as exc:
        assert str(exc) == "用户名或密码错误", exc
    return (time.perf_counter() - started) * 1000


def main(attempts: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f.duckdb"
        build_database(path, [ROOT / "tests" / "fixture"])
        con = db.connect(path)
        auth.add_user(con, "admin", "管理员", "the-right-password", "管理员")
        timed(con, "warm-up")
        known = [timed(con, "admin") for _ in range(attempts)]
        unknown = [timed(con, f"nobody{i}") for i in range(attempts)]
        con.close()
    for label, values in (("existing name", known), ("unknown name ", unknown)):
        values.sort()
        print(f"{label}: median {statistics.median(values):6.1f} ms, p10 {values[len(values) // 10]:6.1f} ms, "
              f"p90 {values[9 * len(values) // 10]:6.1f} ms  ({attempts} attempts)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 40)
