"""The report as PDF: the HTML report printed by headless Chromium (CJK text needs a CJK font such
as fonts-wqy-microhei installed for Chromium to find).

Chromium runs in a private temporary profile, without network, sync or component updates, and
is killed after ``timeout`` seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from twin.errors import TwinError

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio", "--no-pdf-header-footer",
         "--print-to-pdf-no-header")


class PdfUnavailable(TwinError):
    """No Chromium to print the PDF with (install the ``chromium`` package, or set $TWIN_CHROMIUM)."""

    http_status = 503


class PdfFailed(TwinError):
    """Chromium ran but produced no PDF."""

    http_status = 500


def find_chromium() -> str | None:
    """The Chromium executable: ``$TWIN_CHROMIUM``, else the first of :data:`CANDIDATES` on the PATH."""
    explicit = os.environ.get("TWIN_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() and os.access(explicit, os.X_OK) else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def count_pages(pdf: bytes) -> int:
    """Pages of a PDF, counted from its page objects (enough for the PDFs Chromium writes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def html_to_pdf(html: str, *, timeout: float = 120.0) -> bytes:
    """Print an HTML document to PDF with headless Chromium; raises :class:`PdfUnavailable` without one."""
    chromium = find_chromium()
    if chromium is None:
        raise PdfUnavailable("PDF reports need Chromium, which is not installed (apt-get install chromium, or set $TWIN_CHROMIUM); "
                             "the HTML and XLSX formats work without it")
    with tempfile.TemporaryDirectory(prefix="twin-report-") as folder:
        source, target = Path(folder) / "report.html", Path(folder) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [chromium, *FLAGS, f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={target}", source.as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, timeout=timeout, cwd=folder,
                                    env={**os.environ, "HOME": folder})
        except subprocess.TimeoutExpired:
            raise PdfFailed(f"Chromium did not finish printing the PDF within {timeout:.0f} s") from None
        except OSError as error:
            raise PdfUnavailable(f"cannot run Chromium at {chromium}: {error}") from None
        pdf = target.read_bytes() if target.is_file() else b""
    if not pdf.startswith(b"%PDF"):
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if result.stderr else []
        raise PdfFailed(f"Chromium exited with status {result.returncode} without writing a PDF"
                        + (f": {detail[0]}" if detail else ""))
    return pdf
