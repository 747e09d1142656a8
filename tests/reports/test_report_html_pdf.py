"""The HTML report (self-contained: tables, SVG charts, embedded floor PNG) and its PDF."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

from realdata import IN_CI
from twin.reports.build import build_report
from twin.reports.data import gather
from twin.reports.html import render_html
from twin.reports.images import decode_png
from twin.reports.pdf import PdfUnavailable, count_pages, find_chromium, html_to_pdf


def need_chromium() -> None:
    if find_chromium() is None:
        if IN_CI:
            pytest.fail("Chromium is missing; CI installs it (.ci/run)")
        pytest.skip("Chromium is not installed")


def test_html_holds_the_tables_charts_and_an_embedded_floor_image(report_session):
    report = build_report(report_session, format="html")
    html = report.content.decode("utf-8")
    assert report.media_type.startswith("text/html") and report.filename.endswith(".html")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in html
    for heading in ("概要", "单位核定面积", "超标人员", "楼层图", "预警", "面积偏差", "房间清单"):
        assert f">{heading}<span" in html
    assert '房间号<span class="en">Number</span>' in html and "WenQuanYi Micro Hei" in html
    assert re.search(r"<td>张伟</td>.*?<td class=\"n\">18\.00</td><td class=\"n\">24\.00</td><td class=\"n\">6\.00</td>", html)
    assert "处长&amp;主任" in html and "处长&主任" not in html  # escaped
    assert html.count("<svg") == 4 and 'class="bar"' in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "<script" not in html
    [encoded] = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    pixels = decode_png(base64.b64decode(encoded))
    assert pixels.std() > 20
    assert np.any((pixels[..., 0] > 170) & (pixels[..., 1] < 90) & (pixels[..., 2] < 90))  # the over-standard room


def test_a_units_html_leaves_other_units_out(report_session):
    html = render_html(gather(report_session, "XXZX"), ())
    assert "省信息中心" in html and "张伟" not in html and "没有超标人员" in html and "没有可绘制的楼层" in html


def test_pdf_is_printed_from_the_html(report_session):
    need_chromium()
    report = build_report(report_session, unit_code="FGW", format="pdf")
    assert report.content.startswith(b"%PDF") and count_pages(report.content) > 0
    assert report.media_type == "application/pdf" and report.filename.startswith("twin-report-FGW-")
    assert b"WenQuanYiMicroHei" in report.content or b"NotoSansCJK" in report.content  # a CJK font is embedded


def test_pdf_without_chromium_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv("TWIN_CHROMIUM", str(tmp_path / "no-chromium"))
    with pytest.raises(PdfUnavailable, match="Chromium"):
        html_to_pdf("<html></html>")
