"""Imports point one way (STYLE.md, Layers and flow): definitions ← store ← domain ← writers
← views ← shells. A module may import its own layer or any below it, never one above; and
no set of modules may import each other round in a circle, even through an import inside a
function. Each module of tuoyu/ is placed below by its top-level name (a folder's modules
take the folder's place); a new module must be placed here before it can be imported."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "tuoyu"

DEFINITIONS, STORE, DOMAIN, WRITERS, VIEWS, SHELLS = range(6)
LAYER_NAMES = ("definitions", "store", "domain", "writers", "views", "shells")
LAYERS = {
    # what everything may read: tables and their columns, periods, paths, the indicators'
    # catalogue, number and date wording, typed text as text, errors, the Excel cell writer
    "paths": DEFINITIONS, "tables": DEFINITIONS, "periods": DEFINITIONS, "catalogue": DEFINITIONS,
    "fmt": DEFINITIONS, "markup": DEFINITIONS, "backoff": DEFINITIONS, "errors": DEFINITIONS,
    "excel": DEFINITIONS,
    # the store: connect and run named SQL
    "db": STORE,
    # the rules: indicators, stored totals, targets and their verdicts, citations, who has
    # reported, tasks, accounts, one region's figures, county boundaries
    "indicators": DOMAIN, "totals": DOMAIN, "verdicts": DOMAIN, "targets": DOMAIN, "citations": DOMAIN,
    "freshness": DOMAIN, "tasks": DOMAIN, "auth": DOMAIN, "snapshot": DOMAIN, "boundaries": DOMAIN,
    # what writes data: the loader (building, rebuilding and opening the database), uploads
    "loading": WRITERS, "uploads": WRITERS,
    # what one page shows
    "overview": VIEWS, "comparison": VIEWS, "review": VIEWS, "institutions": VIEWS, "ledger": VIEWS,
    "charts": VIEWS, "trend_chart": VIEWS, "ledger_charts": VIEWS, "maps": VIEWS,
    # what people run: the dashboard's glue, the CLI, the briefing and notices, the tools
    "ui": SHELLS, "cli": SHELLS, "briefing": SHELLS, "tools": SHELLS, "__main__": SHELLS,
    "__init__": DEFINITIONS,
}


def module_name(path: Path) -> str:
    """'tuoyu/cli/data.py' → 'cli.data'; 'tuoyu/cli/__init__.py' → 'cli'."""
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(parts)


def imports_of(path: Path, name: str) -> set[str]:
    """The package's modules this file imports, anywhere in it (functions included)."""
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if node.module and node.module.startswith("tuoyu"):
                    base = node.module.split(".")[1:]
                else:
                    continue
            else:
                base = package[:len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            if node.module is None or node.level and not node.module:
                found |= {".".join(base + [a.name]) for a in node.names}
            else:
                found.add(".".join(base) if base else "__init__")
                found |= {".".join(base + [a.name]) for a in node.names
                          if (PACKAGE.joinpath(*base, a.name + ".py")).exists()
                          or (PACKAGE.joinpath(*base, a.name)).is_dir()}
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".", 1)[1] for a in node.names if a.name.startswith("tuoyu.")}
    return {m for m in found if m and m != name}


def graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    modules = {module_name(p): p for p in package.rglob("*.py") if "__pycache__" not in p.parts}
    return {name: {m for m in imports_of(path, name) if m in modules} for name, path in modules.items()}


def layer(name: str) -> int:
    return LAYERS[name.split(".")[0]]


def upward(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} ({LAYER_NAMES[layer(a)]}) → {b} ({LAYER_NAMES[layer(b)]})"
                  for a, targets in edges.items() for b in targets if layer(b) > layer(a))


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected set of two or more modules (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_every_module_has_a_layer():
    unplaced = sorted(n for n in graph() if n.split(".")[0] not in LAYERS)
    assert unplaced == [], "place these modules in tests/test_layers.py LAYERS"


def test_every_layer_entry_is_a_module():
    """A module that moved leaves no name behind in the map (it would hide a later mistake)."""
    present = {n.split(".")[0] for n in graph()}
    assert sorted(set(LAYERS) - present) == []


def test_imports_point_one_way():
    assert upward(graph()) == []


def test_no_circles():
    assert circles(graph()) == []


def test_the_check_finds_a_planted_upward_import_and_a_circle(tmp_path):
    """The checks themselves, on a small package: the store reaching up into a view, and
    two domain modules importing each other from inside functions."""
    package = tmp_path / "tuoyu"
    package.mkdir()
    (package / "db.py").write_text("def run():\n    from .overview import build\n", encoding="utf-8")
    (package / "overview.py").write_text("from . import db\n", encoding="utf-8")
    (package / "targets.py").write_text("def f():\n    from . import indicators\n", encoding="utf-8")
    (package / "indicators.py").write_text("def g():\n    from .targets import f\n", encoding="utf-8")
    global PACKAGE
    real, PACKAGE = PACKAGE, package
    try:
        edges = graph(package)
    finally:
        PACKAGE = real
    assert upward(edges) == ["db (store) → overview (views)"]
    assert circles(edges) == [["db", "overview"], ["indicators", "targets"]]
