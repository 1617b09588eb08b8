"""report.pdf: the report printed to A4 by headless Chromium (its print stylesheet: a page per section).

Chromium is the system's own (Debian's ``chromium``), driven by the ``playwright`` package with
its ``executable_path``: salesim never downloads a browser. The same PDF comes from printing
report.html in any Chromium.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sim.config.errors import SalesimError
from sim.experiments.files import atomic_write

BROWSERS = ("chromium", "chromium-browser", "google-chrome")  # the system's Chromium, by the names distributions use
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
TIMEOUT_MS = 120_000


class PdfError(SalesimError):
    """A PDF that cannot be printed here: no Chromium, or no playwright."""


def chromium() -> str:
    """The system's Chromium (``SALESIM_CHROMIUM`` names another), or a PdfError saying how to install it."""
    named = os.environ.get("SALESIM_CHROMIUM")
    if named:
        if not Path(named).is_file():
            raise PdfError(f"SALESIM_CHROMIUM={named}: no such file; name a Chromium executable")
        return named
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("--pdf: no Chromium found (apt-get install chromium, or set SALESIM_CHROMIUM to one)")


def check_pdf() -> str:
    """Check before any work that a PDF can be printed here; return the browser's path."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        raise PdfError("--pdf: the playwright package is missing (pip install 'salesim[pdf]')") from None
    return chromium()


def write_pdf(html: Path, pdf: Path, browser: str | None = None) -> Path:
    """Print ``html`` to ``pdf`` (A4, backgrounds, the headings as the PDF's outline), atomically."""
    from playwright.sync_api import sync_playwright

    executable = browser or check_pdf()

    def write(tmp: Path) -> None:
        with sync_playwright() as pw:
            engine = pw.chromium.launch(executable_path=executable, args=ARGS, timeout=TIMEOUT_MS)
            try:
                page = engine.new_page()
                page.goto(html.resolve().as_uri(), timeout=TIMEOUT_MS)
                page.emulate_media(media="print")
                page.pdf(path=str(tmp), format="A4", print_background=True, prefer_css_page_size=True,
                         outline=True, tagged=True)  # fmt: skip
            finally:
                engine.close()

    atomic_write(pdf, write)
    return pdf
