"""Floor images rendered offscreen (PyVista over Mesa EGL): not blank, over-standard rooms red where
they are, rooms within their standard green, vacant grey, other units' rooms pale."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Polygon
from sqlalchemy import select

from reportledger import ROOMS
from twin.ledger.models import Storey
from twin.reports.data import gather
from twin.reports.images import COLOURS, decode_png, pick_storeys, render_report_images, render_storey


def _samples(image, pixels, number):
    """Colours at a grid of points inside a room (half a metre in from its walls)."""
    inner = Polygon(ROOMS[number]).buffer(-0.5)
    minx, miny, maxx, maxy = inner.bounds
    colours = []
    for x in np.linspace(minx, maxx, 7):
        for y in np.linspace(miny, maxy, 5):
            column, row = image.to_pixel(x, y)
            colours.append(pixels[row, column, :3].astype(int))
    return np.array(colours)


def _share(colours, rgb, tolerance=12):
    return float(np.mean(np.all(np.abs(colours - np.array(rgb)) <= tolerance, axis=1)))


def _is_red(colours):
    return (colours[:, 0] > 170) & (colours[:, 1] < 90) & (colours[:, 2] < 90)


def test_a_storey_image_shows_the_over_standard_room_red_where_it_is(report_session):
    storey_id = report_session.scalar(select(Storey.id).where(Storey.name == "1F"))
    image = render_storey(report_session, storey_id)
    assert image.png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = decode_png(image.png)
    assert pixels.shape[:2] == (image.height, image.width)
    assert pixels.std() > 20 and len(np.unique(pixels.reshape(-1, pixels.shape[2]), axis=0)) > 10  # not blank
    assert image.over_rooms == ("101",)
    over, within, meeting, vacant = (_samples(image, pixels, n) for n in ("101", "102", "103", "104"))
    assert _is_red(over).mean() >= 0.85 and _share(over, COLOURS["over"]) >= 0.85
    assert not _is_red(within).any() and _share(within, COLOURS["within"]) >= 0.85
    assert not _is_red(meeting).any() and _share(meeting, COLOURS["other"]) >= 0.85
    assert _share(vacant, COLOURS["vacant"]) >= 0.85
    # outside every room the picture is background white
    column, row = image.to_pixel(12, 7)
    assert tuple(pixels[row, column, :3]) == (255, 255, 255)


def test_a_units_images_pale_other_units_rooms(report_session):
    data = gather(report_session, "FGW")
    [image] = render_report_images(report_session, data)
    pixels = decode_png(image.png)
    assert _is_red(_samples(image, pixels, "101")).mean() >= 0.85
    assert _share(_samples(image, pixels, "104"), COLOURS["other_unit"]) >= 0.85  # XXZX's vacant room


def test_storeys_with_over_standard_rooms_are_drawn_else_every_storey_of_the_scope(report_session):
    campus = gather(report_session)
    assert [s.name for s in pick_storeys(campus.storeys)] == ["1F"]
    assert [s.name for s in pick_storeys(gather(report_session, "XXZX").storeys)] == ["1F"]
    assert [s.name for s in pick_storeys([s for s in campus.storeys if not s.over])] == ["2F"]
    assert len(pick_storeys(campus.storeys * 20, limit=3)) == 3


def test_a_machine_without_egl_gets_a_clear_error_not_a_crash(monkeypatch):
    from twin.reports.images import ImageRenderError, probe_renderer

    assert probe_renderer() == "vtkEGLRenderWindow"
    monkeypatch.setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/egl_vendor.json")  # glvnd finds no EGL driver
    with pytest.raises(ImageRenderError, match="offscreen rendering .* does not work"):
        probe_renderer.__wrapped__()
