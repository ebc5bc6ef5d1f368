"""Real-browser smoke suite: Debian's Chromium, driven by Playwright, against a live server.

Run with `make e2e` (`pytest -m browser e2e`). A plain `make test` skips these tests, so
it never needs a browser. `playwright install` is never used: the browser is the one at
CHROMIUM_PATH (Debian's package by default).
"""

import os
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "e2e"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: real-browser smoke tests (make e2e)")


def pytest_collection_modifyitems(config, items):
    if "browser" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="needs Chromium: run `make e2e`")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM_PATH} (apt-get install chromium)")
    # Playwright's sync API keeps an event loop in this thread, which Django takes for an
    # async context; the tests' ORM calls (set-up and checks) are plain synchronous code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser tab in Spanish (the clinic's language), failing fast on slow steps."""
    context = browser.new_context(locale="es-ES", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page, request):
    """screenshot("name") saves artifacts/e2e/<test>-NN-name.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(name):
        path = ARTIFACTS / f"{request.node.name}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def role_groups(transactional_db):
    """The groups come from a data migration, which a transactional test's flush empties."""
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import sync_role_groups

    sync_role_groups(group_model=Group, permission_model=Permission)
