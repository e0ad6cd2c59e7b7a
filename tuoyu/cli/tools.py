"""python -m tuoyu: the tools' subcommands — generate (tuoyu.tools.generate) and bench
(tuoyu.tools.bench)."""

import json
import sys
import time
from pathlib import Path

from ..tools import bench, generate


def cmd_generate(args) -> int:
    started = time.perf_counter()
    try:
        scale = generate.parse_scale(args.scale)
        generate.layout(scale)
    except ValueError as exc:
        print(f"错误：{exc}")
        return 2
    counts = generate.generate(args.out, scale, args.seed,
                               progress=(lambda line: print("  " + line, flush=True)) if args.verbose else None)
    for name, n in counts.items():
        print(f"{name:24s}{n:>10,d}")
    print(f"{time.perf_counter() - started:.1f} s → {args.out}")
    return 0


def cmd_bench(args) -> int:
    if args.compare:
        results = [json.loads(Path(p).read_text(encoding="utf-8")) for p in args.compare]
        print(bench.growth_table(results))
        return 0
    scale = generate.parse_scale(args.scale)
    result = bench.bench(scale, args.data, Path(args.work), args.reps, args.quick, args.seed, not args.no_apptest,
                         echo=lambda line: print(line, file=sys.stderr, flush=True))
    print(bench.report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


def add_tools_commands(sub) -> None:
    p = sub.add_parser("generate", help="生成 N 倍示例规模（最大全国规模）的合成数据")
    p.add_argument("--scale", default="1", help="规模：1 = 示例数据；2、10 …；national = 全国规模")
    p.add_argument("--out", required=True, help="输出目录（大规模时请写到 /tmp 下）")
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--verbose", action="store_true", help="逐省打印进度")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("bench", help="性能测试：建库、各页面查询、AppTest、导入、pandas 基线")
    p.add_argument("--scale", default="1", help="1（示例数据）、10、national …")
    p.add_argument("--data", help="已有的数据目录（不生成）")
    p.add_argument("--work", default=str(bench.WORK), help="生成数据和临时数据库的目录（默认 /tmp/tuoyu-bench）")
    p.add_argument("--reps", type=int, default=7, help="每项重复次数（取中位数）")
    p.add_argument("--seed", type=int, default=2021)
    p.add_argument("--quick", action="store_true", help="少量重复、两个页面的 AppTest：保持脚本可用")
    p.add_argument("--no-apptest", action="store_true")
    p.add_argument("--json", help="把全部数字写入此 JSON 文件")
    p.add_argument("--compare", nargs="+", metavar="JSON", help="不测量：把几次 --json 的结果并列成表")
    p.set_defaults(func=cmd_bench)
