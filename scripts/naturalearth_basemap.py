"""Build the map page's offline basemap: Natural Earth country outlines around Europe.

Run once when the vendored file should change (nothing runs it at run time)::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/naturalearth_basemap.py /tmp/package/countries-50m.json

It reads world-atlas's TopoJSON (Natural Earth 1:50m admin-0 countries, public domain), decodes
the shared arcs, keeps the countries that reach into the box below, unwraps rings that cross
the antimeridian (Russia's far east), clips them to the box (Sutherland-Hodgman against each
side), rounds coordinates to 0.01 degree (about 1 km, below what 1:50m shows), and writes
compact GeoJSON (properties: ``name`` and the ISO 3166-1 numeric ``id``) to
``src/convoy/web/static/vendor/naturalearth/europe-50m.geojson``. Standard library only.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# lon -25..50, lat 33..72: Iceland to the Urals' foot, the Maghreb to the North Cape; the region
# (Ukraine, Poland, Romania, Moldova, the Baltics, the Black Sea) sits well inside.
WEST, EAST, SOUTH, NORTH = -25.0, 50.0, 33.0, 72.0
DIGITS = 2
OUT = (
    Path(__file__).resolve().parent.parent
    / "src/convoy/web/static/vendor/naturalearth/europe-50m.geojson"
)

Point = tuple[float, float]
Ring = list[Point]


def decode_arcs(topo: dict[str, Any]) -> list[list[Point]]:
    """Absolute lon/lat arcs from quantized, delta-encoded TopoJSON arcs."""
    tf = topo.get("transform")
    arcs: list[list[Point]] = []
    for arc in topo["arcs"]:
        if tf is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = tf["scale"], tf["translate"]
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def ring_of(indexes: list[int], arcs: list[list[Point]]) -> Ring:
    """Stitch a ring from arc indexes (``~i`` is arc ``i`` reversed)."""
    ring: Ring = []
    for i in indexes:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(pts if not ring else pts[1:])
    return ring


def unwrap(ring: Ring) -> Ring:
    """The ring with no jump across the antimeridian: each longitude within 180 degrees of the
    one before (Russia's far east goes on past 180 instead of reappearing at -180, and so is
    clipped away instead of spanning the box)."""
    out: Ring = []
    for x, y in ring:
        if out:
            while x - out[-1][0] > 180:
                x -= 360
            while x - out[-1][0] < -180:
                x += 360
        out.append((x, y))
    return out


def clip(ring: Ring) -> Ring:
    """The part of a closed ring inside the box (Sutherland-Hodgman, one side at a time)."""
    sides: list[tuple[Callable[[Point], bool], Callable[[Point, Point], Point]]] = [
        (lambda p: p[0] >= WEST, lambda a, b: _at_x(a, b, WEST)),
        (lambda p: p[0] <= EAST, lambda a, b: _at_x(a, b, EAST)),
        (lambda p: p[1] >= SOUTH, lambda a, b: _at_y(a, b, SOUTH)),
        (lambda p: p[1] <= NORTH, lambda a, b: _at_y(a, b, NORTH)),
    ]
    pts = ring[:-1] if ring and ring[0] == ring[-1] else ring
    for inside, cross in sides:
        if not pts:
            break
        out: Ring = []
        prev = pts[-1]
        for cur in pts:
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
            prev = cur
        pts = out
    return pts


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def compact(ring: Ring) -> list[list[float]] | None:
    """Rounded, without repeated points, closed; None when nothing of an area is left."""
    out: list[list[float]] = []
    for x, y in ring:
        p = [round(x, DIGITS), round(y, DIGITS)]
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    if len(out) < 3:
        return None
    return [*out, out[0]]


def polygons(geometry: dict[str, Any], arcs: list[list[Point]]) -> list[list[list[list[float]]]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        polys = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polys = geometry["arcs"]
    else:
        return []
    result = []
    for poly in polys:
        rings = [compact(clip(unwrap(ring_of(r, arcs)))) for r in poly]
        if rings and rings[0] is not None:  # the outer ring survived the clip
            result.append([r for r in rings if r is not None])
    return result


def build(topo: dict[str, Any]) -> dict[str, Any]:
    arcs = decode_arcs(topo)
    features: list[dict[str, Any]] = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = polygons(geom, arcs)
        if not polys:
            continue
        shape: dict[str, Any] = (
            {"type": "Polygon", "coordinates": polys[0]}
            if len(polys) == 1
            else {"type": "MultiPolygon", "coordinates": polys}
        )
        props = {"name": (geom.get("properties") or {}).get("name", ""), "id": geom.get("id", "")}
        features.append({"type": "Feature", "properties": props, "geometry": shape})
    features.sort(key=lambda f: f["properties"]["name"])
    return {
        "type": "FeatureCollection",
        "bbox": [WEST, SOUTH, EAST, NORTH],
        "features": features,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    topo = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    collection = build(topo)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"{OUT}: {len(collection['features'])} countries, {len(text.encode()):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
