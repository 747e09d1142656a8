"""Floor images of storeys, rendered offscreen with PyVista (VTK over Mesa EGL, no display needed).

Rooms are drawn from the footprints the ledger keeps (GeoJSON, world x/y in metres), triangulated
with :func:`shapely.constrained_delaunay_triangles`; the storey's cut walls
(:attr:`Storey.plan_walls`) are drawn over them in dark grey, room outlines as thin lines.
Colours: over-standard offices red, offices within their standard green, vacant offices grey,
every other room light; in a unit's report, rooms of other units are lighter still.

The camera looks straight down (parallel projection, north up) on a frame whose world bounds are
kept in :class:`FloorImage`, so :meth:`FloorImage.to_pixel` says where a world point lands.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"  # before pyvista/vtk is imported

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely.geometry import MultiPolygon, Polygon, shape  # noqa: E402
from shapely.geometry.base import BaseGeometry  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from twin.errors import NotFound, TwinError  # noqa: E402
from twin.ledger.models import Building, Room, Storey  # noqa: E402

#: Fill colours (RGB) by room class; the HTML legend uses the same.
COLOURS: dict[str, tuple[int, int, int]] = {
    "over": (215, 48, 31),
    "within": (65, 171, 93),
    "vacant": (150, 150, 150),
    "other": (222, 228, 236),
    "other_unit": (245, 246, 248),
}
WALL_COLOUR = (51, 51, 51)
OUTLINE_COLOUR = (90, 104, 122)
BACKGROUND = (255, 255, 255)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
TITLE_PX = 34  # band at the top of the image for the title
PAD_PX = 12
_lock = threading.Lock()  # VTK render windows are not to be used from two threads at once


class ImageRenderError(TwinError):
    """The offscreen renderer could not produce an image (no working EGL/OpenGL)."""

    http_status = 500


@dataclass(frozen=True)
class FloorImage:
    """A rendered storey: PNG bytes and the world frame of the picture (x right, y up)."""

    storey_id: int
    building: str
    storey: str
    png: bytes
    width: int
    height: int
    bounds: tuple[float, float, float, float]  # world xmin, ymin, xmax, ymax of the whole picture
    over_rooms: tuple[str, ...]

    @property
    def scale(self) -> float:
        """Pixels per metre."""
        return self.width / (self.bounds[2] - self.bounds[0])

    def to_pixel(self, x: float, y: float) -> tuple[int, int]:
        """(column, row) of a world point; row 0 is the top of the picture."""
        xmin, _, _, ymax = self.bounds
        return int((x - xmin) * self.scale), int((ymax - y) * self.scale)


#: Opens an offscreen window and renders once: run in a child process, since VTK crashes the whole
#: process (SIGSEGV) when no EGL/OpenGL is usable.
PROBE = """
import os
os.environ["VTK_DEFAULT_OPENGL_WINDOW"] = "vtkEGLRenderWindow"
import vtkmodules.vtkRenderingOpenGL2
from vtkmodules.vtkRenderingCore import vtkRenderWindow, vtkRenderer
window = vtkRenderWindow()
window.SetOffScreenRendering(1)
window.SetSize(8, 8)
window.AddRenderer(vtkRenderer())
window.Render()
print(window.GetClassName())
"""


@lru_cache(maxsize=1)
def probe_renderer(timeout: float = 120.0) -> str:
    """The render window class VTK gets here (``vtkEGLRenderWindow``); raises
    :class:`ImageRenderError` when offscreen rendering does not work. Checked once per process."""
    try:
        result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=timeout,
                                env={**os.environ, "VTK_DEFAULT_OPENGL_WINDOW": "vtkEGLRenderWindow"})
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ImageRenderError(f"cannot check the offscreen renderer: {error}") from None
    if result.returncode != 0:
        lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).split("| ", 1)[-1].strip() for line in result.stderr.splitlines()
                 if "WARN" in line or "ERR" in line or "Error" in line]
        reason = next((line for line in lines if "EGL" in line), lines[-1] if lines else None) or f"exit status {result.returncode}"
        raise ImageRenderError("offscreen rendering (VTK over EGL) does not work on this machine "
                               f"(install Mesa EGL: libegl1 libegl-mesa0 libgl1-mesa-dri): {reason}")
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else "unknown"


def find_cjk_font() -> str | None:
    """A font file with Chinese glyphs for the image title, if one is installed."""
    return next((p for p in FONT_CANDIDATES if Path(p).is_file()), None)


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    if isinstance(geometry, Polygon):
        return [geometry] if not geometry.is_empty else []
    if isinstance(geometry, MultiPolygon):
        return [g for g in geometry.geoms if not g.is_empty]
    return [g for part in getattr(geometry, "geoms", ()) for g in _polygons(part)]


def _triangles(polygons: list[Polygon]) -> np.ndarray:
    """``(n, 3, 2)`` triangles covering the polygons (holes respected)."""
    out = []
    for polygon in polygons:
        if polygon.area <= 1e-9:
            continue
        for triangle in shapely.constrained_delaunay_triangles(polygon).geoms:
            coords = np.asarray(triangle.exterior.coords)[:3]
            if len(coords) == 3:
                out.append(coords)
    return np.asarray(out, dtype=float).reshape(-1, 3, 2)


def _mesh(triangles: np.ndarray, colours: np.ndarray, z: float):
    import pyvista as pv

    n = len(triangles)
    points = np.column_stack([triangles.reshape(-1, 2), np.full(n * 3, z)])
    faces = np.column_stack([np.full(n, 3), np.arange(n * 3).reshape(-1, 3)]).ravel()
    mesh = pv.PolyData(points, faces=faces)
    mesh.cell_data["rgb"] = colours.astype(np.uint8)
    return mesh


def _outlines(polygons: list[Polygon], z: float):
    import pyvista as pv

    points, lines = [], []
    for polygon in polygons:
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.asarray(ring.coords)
            start = sum(len(p) for p in points)
            points.append(coords)
            lines.append(np.concatenate([[len(coords)], np.arange(start, start + len(coords))]))
    if not points:
        return None
    xy = np.vstack(points)
    return pv.PolyData(np.column_stack([xy, np.full(len(xy), z)]), lines=np.concatenate(lines).astype(np.int64))


def _frame(bounds: tuple[float, float, float, float], max_size: tuple[int, int], max_scale: float):
    """Pixel size and world bounds of a picture holding ``bounds`` below a title band."""
    xmin, ymin, xmax, ymax = bounds
    wx, wy = max(xmax - xmin, 1.0), max(ymax - ymin, 1.0)
    room_w, room_h = max_size[0] - 2 * PAD_PX, max_size[1] - 2 * PAD_PX - TITLE_PX
    scale = min(room_w / wx, room_h / wy, max_scale)
    width = max(int(math.ceil(wx * scale)) + 2 * PAD_PX, 320)
    height = int(math.ceil(wy * scale)) + 2 * PAD_PX + TITLE_PX
    width += width % 2  # even sizes keep the camera centre on a pixel edge
    height += height % 2
    cx = (xmin + xmax) / 2
    top = ymax + (PAD_PX + TITLE_PX) / scale
    frame = (cx - width / (2 * scale), top - height / scale, cx + width / (2 * scale), top)
    return width, height, frame


def _encode_png(image: np.ndarray) -> bytes:
    from vtkmodules.util.numpy_support import numpy_to_vtk
    from vtkmodules.vtkCommonDataModel import vtkImageData
    from vtkmodules.vtkIOImage import vtkPNGWriter

    height, width, channels = image.shape
    data = vtkImageData()
    data.SetDimensions(width, height, 1)
    array = numpy_to_vtk(np.ascontiguousarray(image[::-1]).reshape(-1, channels), deep=True)
    array.SetNumberOfComponents(channels)
    data.GetPointData().SetScalars(array)
    writer = vtkPNGWriter()
    writer.SetWriteToMemory(True)
    writer.SetInputData(data)
    writer.SetCompressionLevel(6)
    writer.Write()
    return bytes(memoryview(writer.GetResult()))


def decode_png(png: bytes) -> np.ndarray:
    """A PNG as a ``(rows, columns, channels) uint8`` array, row 0 at the top."""
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkIOImage import vtkPNGReader

    reader = vtkPNGReader()
    try:  # VTK >= 9.3 reads from a stream; SetMemoryBuffer is deprecated there
        from vtkmodules.vtkIOCore import vtkMemoryResourceStream

        stream = vtkMemoryResourceStream()
        stream.SetBuffer(png, len(png), True)
        reader.SetStream(stream)
    except ImportError:
        reader.SetMemoryBuffer(png)
        reader.SetMemoryBufferLength(len(png))
    reader.Update()
    output = reader.GetOutput()
    width, height, _ = output.GetDimensions()
    scalars = vtk_to_numpy(output.GetPointData().GetScalars())
    return scalars.reshape(height, width, -1)[::-1].copy()


def _room_class(room: Room, compliance: dict[int, str | None] | None, unit_id: int | None) -> str:
    if unit_id is not None and room.unit_id != unit_id:
        return "other_unit"
    value = compliance.get(room.id, room.compliance) if compliance is not None else room.compliance
    return value if value in ("over", "within", "vacant") else "other"


def render_storey(session: Session, storey_id: int, *, compliance: dict[int, str | None] | None = None,
                  unit_id: int | None = None, max_size: tuple[int, int] = (1400, 1000), max_scale: float = 40.0,
                  labels: bool = True) -> FloorImage:
    """A top-down picture of one storey's rooms and walls (see the module's colours).

    ``compliance`` (room id -> over/within/vacant/None) overrides the stored ``Room.compliance``;
    ``unit_id`` greys out rooms of other units.
    """
    storey = session.get(Storey, storey_id)
    if storey is None:
        raise NotFound(f"no storey {storey_id}")
    building = session.get(Building, storey.building_id)
    rooms = session.scalars(select(Room).where(Room.storey_id == storey_id, Room.status == "active")
                            .order_by(Room.number, Room.global_id)).all()
    shapes = []
    for room in rooms:
        polygons = _polygons(shape(room.footprint)) if room.footprint else []
        if polygons:
            shapes.append((room, polygons, _room_class(room, compliance, unit_id)))
    walls = _polygons(shape(storey.plan_walls)) if storey.plan_walls else []
    everything = [p for _, polygons, _ in shapes for p in polygons] + walls
    if not everything:
        raise NotFound(f"storey {storey_id} has no room footprints or walls to draw")
    width, height, frame = _frame(tuple(shapely.total_bounds(everything)), max_size, max_scale)
    building_name = (building.name or building.long_name or "") if building else ""
    storey_name = storey.name or storey.long_name or ""
    over = tuple(r.number or r.global_id for r, _, cls in shapes if cls == "over")
    probe_renderer()
    with _lock:
        image = _render(shapes, walls, width, height, frame, _title(building_name, storey_name, len(over)), labels)
    return FloorImage(storey_id, building_name, storey_name, _encode_png(image), width, height, frame, over)


def _title(building: str, storey: str, over: int) -> str:
    if find_cjk_font():
        return f"{building} {storey}  超标办公室 {over} 间 · over-standard offices: {over}"
    return f"{storey}  over-standard offices: {over}"


def _render(shapes, walls, width: int, height: int, frame, title: str, labels: bool) -> np.ndarray:
    import pyvista as pv

    triangles, colours, outline_polygons = [], [], []
    label_points, label_text = [], []
    scale = width / (frame[2] - frame[0])
    for room, polygons, cls in shapes:
        tris = _triangles(polygons)
        triangles.append(tris)
        colours.append(np.tile(COLOURS[cls], (len(tris), 1)))
        outline_polygons.extend(polygons)
        biggest = max(polygons, key=lambda p: p.area)
        minx, miny, maxx, maxy = biggest.bounds
        text = room.number or ""
        if labels and text and (maxx - minx) * scale >= 7 * len(text) + 6 and (maxy - miny) * scale >= 16:
            point = biggest.representative_point()
            label_points.append((point.x, point.y, 0.3))
            label_text.append(text)
    try:
        plotter = pv.Plotter(off_screen=True, window_size=(width, height))
    except Exception as error:  # noqa: BLE001 - VTK raises plain errors for a missing display/EGL
        raise ImageRenderError(f"cannot open an offscreen render window: {error}") from error
    try:
        plotter.set_background(BACKGROUND)
        all_triangles = np.concatenate(triangles) if triangles else np.zeros((0, 3, 2))
        if len(all_triangles):
            plotter.add_mesh(_mesh(all_triangles, np.concatenate(colours), 0.0), scalars="rgb", rgb=True,
                             lighting=False, show_scalar_bar=False, reset_camera=False)
        wall_triangles = _triangles(walls)
        if len(wall_triangles):
            plotter.add_mesh(_mesh(wall_triangles, np.tile(WALL_COLOUR, (len(wall_triangles), 1)), 0.1), scalars="rgb",
                             rgb=True, lighting=False, show_scalar_bar=False, reset_camera=False)
        lines = _outlines(outline_polygons, 0.05)
        if lines is not None:
            plotter.add_mesh(lines, color=OUTLINE_COLOUR, line_width=1, lighting=False, reset_camera=False)
        font = find_cjk_font()
        if label_points:
            plotter.add_point_labels(np.asarray(label_points), label_text, font_size=11, bold=False, text_color=(29, 43, 58),
                                     shape=None, show_points=False, always_visible=True, reset_camera=False,
                                     justification_horizontal="center", justification_vertical="center")
        plotter.add_text(title, position=(PAD_PX, height - TITLE_PX + 8), font_size=11, color=(29, 43, 58), font_file=font)
        camera = plotter.camera
        cx, cy = (frame[0] + frame[2]) / 2, (frame[1] + frame[3]) / 2
        camera.position, camera.focal_point, camera.up = (cx, cy, 100.0), (cx, cy, 0.0), (0.0, 1.0, 0.0)
        camera.enable_parallel_projection()
        camera.parallel_scale = (frame[3] - frame[1]) / 2
        camera.clipping_range = (1.0, 200.0)
        image = plotter.screenshot(return_img=True)
    except TwinError:
        raise
    except Exception as error:  # noqa: BLE001
        raise ImageRenderError(f"offscreen rendering failed: {error}") from error
    finally:
        plotter.close()
    if image is None or image.size == 0 or float(np.asarray(image).std()) == 0.0:
        raise ImageRenderError("offscreen rendering produced a blank image (is Mesa EGL installed?)")
    return np.asarray(image, dtype=np.uint8)


def pick_storeys(storeys, *, limit: int = 12) -> list:
    """The storeys worth a picture: those with over-standard rooms; if none has any, every storey
    of the scope; at most ``limit``, in building and elevation order."""
    chosen = [s for s in storeys if s.over] or list(storeys)
    return chosen[:limit]


def render_report_images(session: Session, data, *, limit: int = 12) -> list[FloorImage]:
    """Pictures of the storeys :func:`pick_storeys` picks from a report's data."""
    compliance = data.compliance_by_room
    images = []
    for storey in pick_storeys(data.storeys, limit=limit):
        try:
            images.append(render_storey(session, storey.id, compliance=compliance, unit_id=data.scope.unit_id))
        except NotFound:
            continue  # a storey without footprints has nothing to draw
    return images
