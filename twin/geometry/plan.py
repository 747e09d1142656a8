"""SVG floor plans of a storey: room outlines with number, name and area, and the cut walls.

The SVG's user unit is the metre: ``x`` is world x and ``y`` is **minus** world y (SVG's y
points down, the model's north points up). Each room is ``<g class="room"
data-global-id="...">`` holding its outline ``<path>`` and ``<text>`` labels, so a viewer can
colour and pick rooms by GlobalId; cut walls are ``<path class="wall">``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from twin.geometry.section import as_multipolygon

STYLE = (
    ".room path{fill:#dce8f7;stroke:#4a6d99;stroke-width:0.04}"
    ".room text{font-family:'Noto Sans CJK SC','WenQuanYi Micro Hei','Microsoft YaHei',sans-serif;fill:#1d2b3a;text-anchor:middle;dominant-baseline:middle}"
    ".room .name{fill:#3d5068}.room .area{fill:#5a6b7e}"
    ".wall{fill:#2b2b2b;stroke:none}"
)


@dataclass(frozen=True)
class PlanRoom:
    """A room to draw: GlobalId, labels, footprint (GeoJSON dict, world x/y in metres)."""

    global_id: str
    number: str | None
    name: str | None
    area_m2: float | None
    footprint: dict | None
    category: str | None = None


def _path_data(geometry: BaseGeometry) -> str:
    """SVG path data of polygons (y flipped), rings closed, holes as extra subpaths."""
    parts = []
    for polygon in as_multipolygon(geometry).geoms:
        for ring in (polygon.exterior, *polygon.interiors):
            coords = list(ring.coords)[:-1]
            if len(coords) < 3:
                continue
            parts.append("M" + "L".join(f"{x:.3f},{-y:.3f}" for x, y in coords) + "Z")
    return "".join(parts)


def _labels(room: PlanRoom, geometry: BaseGeometry) -> str:
    point = geometry.point_on_surface() if not isinstance(geometry, MultiPolygon) else max(geometry.geoms, key=lambda g: g.area).point_on_surface()
    minx, miny, maxx, maxy = geometry.bounds
    width = maxx - minx
    size = max(0.18, min(0.6, math.sqrt(max(geometry.area, 0.01)) / 7, width / 8))
    lines = [("number", room.number), ("name", room.name), ("area", f"{room.area_m2:.1f} m²" if room.area_m2 else None)]
    lines = [(cls, text) for cls, text in lines if text]
    top = point.y + size * 1.2 * (len(lines) - 1) / 2
    out = []
    for index, (cls, text) in enumerate(lines):
        scale = 1.0 if cls == "number" else 0.8
        out.append(
            f'<text class="{cls}" x="{point.x:.3f}" y="{-(top - index * size * 1.2):.3f}" font-size="{size * scale:.3f}">{escape(str(text))}</text>'
        )
    return "".join(out)


def render_plan_svg(rooms: list[PlanRoom], walls: dict | None, *, title: str = "", margin_m: float = 1.0) -> str:
    """The SVG text of a storey plan (see the module docstring for its frame and structure)."""
    geometries = []
    for room in rooms:
        geometry = shape(room.footprint) if room.footprint else Polygon()
        geometries.append(geometry)
    wall_geometry = shape(walls) if walls else Polygon()
    everything = [g for g in [*geometries, wall_geometry] if not g.is_empty]
    if everything:
        minx, miny, maxx, maxy = shapely.union_all(everything).bounds
    else:
        minx = miny = 0.0
        maxx = maxy = 10.0
    minx, miny, maxx, maxy = minx - margin_m, miny - margin_m, maxx + margin_m, maxy + margin_m
    width, height = maxx - minx, maxy - miny
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{minx:.3f} {-maxy:.3f} {width:.3f} {height:.3f}" '
        f'width="{width * 20:.0f}" height="{height * 20:.0f}" data-frame="x=world x, y=-world y, metres">',
        f"<title>{escape(title)}</title><style>{STYLE}</style>",
        '<g class="rooms">',
    ]
    for room, geometry in zip(rooms, geometries):
        if geometry.is_empty:
            continue
        category = f" data-category={quoteattr(room.category)}" if room.category else ""
        out.append(
            f'<g class="room" data-global-id={quoteattr(room.global_id)} data-number={quoteattr(room.number or "")}{category}>'
            f'<path d="{_path_data(geometry)}" fill-rule="evenodd"/>{_labels(room, geometry)}</g>'
        )
    out.append("</g>")
    if not wall_geometry.is_empty:
        out.append(f'<g class="walls"><path class="wall" d="{_path_data(wall_geometry)}" fill-rule="evenodd"/></g>')
    out.append("</svg>")
    return "".join(out)
