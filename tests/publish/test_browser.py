"""HTML reports opened in a real headless Chromium (Debian's /usr/bin/chromium).

Playwright drives the system Chromium, so no browser is downloaded. The pages
must render without console errors and without any request other than the
page itself and its data: URLs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from funnelspec.publish.audit import write_audit
from funnelspec.publish.docs import write_docs

from .helpers import INDUSTRIAL, MARKUP, SCRIPT_NAME

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


@dataclass
class Visit:
    """What happened while a page loaded: requests, console messages, dialogs."""

    text: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    broken_images: int = 0
    screenshot: Path | None = None


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not CHROMIUM.is_file():
        message = "Chromium missing at /usr/bin/chromium; .ci/run installs it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1200, "height": 900},
        )
        yield context
        context.close()


def visit(browser: Any, path: Path, screenshot: Path | None = None) -> Visit:
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type in ("error", "warning")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.goto(path.as_uri(), wait_until="load")
    broken = page.evaluate(
        "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
        ".length"
    )
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    text = page.inner_text("body")
    page.close()
    return Visit(text, requests, errors, dialogs, broken, screenshot)


@pytest.fixture(scope="module")
def audit_visit(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Visit:
    directory = tmp_path_factory.mktemp("audit")
    report = directory / "report.html"
    write_audit(str(INDUSTRIAL), report)
    return visit(browser, report, directory / "report.png")


def test_audit_screenshot(audit_visit: Visit) -> None:
    assert audit_visit.screenshot is not None
    data = audit_visit.screenshot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 50_000


def test_audit_no_console_errors(audit_visit: Visit) -> None:
    assert audit_visit.errors == []


def test_audit_no_network_requests(audit_visit: Visit) -> None:
    others = [
        url
        for url in audit_visit.requests
        if not url.startswith("data:") and not url.endswith("/report.html")
    ]
    assert others == []


def test_audit_images_load(audit_visit: Visit) -> None:
    assert audit_visit.broken_images == 0


def test_audit_key_numbers_rendered(audit_visit: Visit) -> None:
    assert "Win rate\n4.6%" in audit_visit.text
    assert "Wins per month\n18.5" in audit_visit.text
    assert "Won value per month\n5,544,000 CNY" in audit_visit.text


def test_audit_scorecard_rendered(audit_visit: Visit) -> None:
    assert "Opportunity acceleration\n100 / 100" in audit_visit.text
    assert "Customer path: 100 / 100" in audit_visit.text


def test_markup_shown_as_text(browser: Any, tmp_path: Path) -> None:
    report = tmp_path / "markup.html"
    write_audit(str(MARKUP), report, opportunities=2_000, seed=1)
    result = visit(browser, report)
    assert result.dialogs == []
    assert SCRIPT_NAME in result.text
    assert "Segment <img src=x onerror=alert(1)>" in result.text
    assert result.errors == []


def test_docs_page_renders(browser: Any, tmp_path: Path) -> None:
    write_docs([str(INDUSTRIAL), str(MARKUP)], tmp_path, "html", force=False)
    page = visit(browser, tmp_path / "industrial-3d-design.html")
    assert page.errors == []
    assert page.broken_images == 0
    assert "Downloaded the white paper or the product demo" in page.text
    index = visit(browser, tmp_path / "index.html")
    assert "Funnel <script>alert('name')</script> & co" in index.text
    assert index.dialogs == []
