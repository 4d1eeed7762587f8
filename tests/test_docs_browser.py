"""Opens /docs in a real headless Chromium with the network closed and runs "Try it out"."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.config import Settings
from app.main import create_app
from app.ml.embedder import Embedder
from tests.conftest import SEEDS_DIR, serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def served_url(embedder: Embedder, tmp_path: Path) -> Iterator[str]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", seeds_dir=SEEDS_DIR)
    with serving(create_app(settings, embedder)) as base:
        yield base


def test_docs_render_offline_and_try_it_out_returns_a_verdict(served_url: str) -> None:
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is not installed; `make test` installs it (make browser-deps)")
    from playwright.sync_api import Route, sync_playwright

    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if route.request.url.startswith(served_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            context = browser.new_context(offline=False)
            context.route("**/*", only_loopback)
            page = context.new_page()
            page.goto(f"{served_url}/docs")
            page.wait_for_selector(".opblock", timeout=30_000)

            paths = page.locator(".opblock-summary-path").all_inner_texts()
            for expected in (
                "/health", "/ready", "/check", "/check/batch", "/documents", "/documents/{document_id}", "/checks",
                "/checks/{check_id}",
            ):  # fmt: skip
                assert any(path.replace("\u200b", "") == expected for path in paths), (expected, paths)

            operation = page.locator("#operations-check-check_claim_check_post")
            operation.locator(".opblock-summary").click()
            operation.get_by_role("button", name="Try it out").click()
            operation.get_by_role("button", name="Execute").click()
            response = operation.locator(".live-responses-table .response-col_description pre").first
            response.wait_for(timeout=60_000)
            body = response.inner_text()
            assert re.search(r'"verdict":\s*"(supported|contradicted|unknown)"', body), body
            assert '"evidence"' in body
        finally:
            browser.close()
    assert blocked == [], f"the docs page tried to reach the network: {blocked}"
