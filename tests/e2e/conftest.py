"""End-to-end harness: a real JupyterLab server + headless Debian chromium driven by Playwright.

Every test in ``tests/e2e/`` is marked ``browser`` automatically (run only these with
``pytest -m browser``; skip them with ``pytest -m "not browser"``) and runs after all other tests.

Fixtures
--------
``lab_server`` (session)
    A :class:`harness.JupyterServer`: JupyterLab 4 (+ Notebook 7 at ``/notebooks/``) on a free
    port of 127.0.0.1, token auth, kernel ``python3`` = the Python running pytest, its own temp
    dirs (settings, workspaces, config). Settings forced at start: widget state saved on save
    ("Save Widget State Automatically"), notebook windowing off (every cell in the DOM), no news.
    Server log: ``tests/artifacts/jupyter-server.log``. Useful: ``lab_server.root`` (where
    notebooks live), ``write_notebook(name, cells)``, ``copy_in(path)``, ``read_notebook(name)``,
    ``api(method, path, body)``, ``put_settings(plugin_id, values)``, ``shutdown_kernels(path)``.

``browser`` (module)
    Playwright ``Browser`` on ``/usr/bin/chromium`` with ``--no-sandbox --disable-gpu ...``.
    If chromium is missing the test FAILS when ``CI`` is set, and is skipped (with the reason) otherwise.

``artifacts`` (function)
    ``tests/artifacts/<test name>/``, emptied at the start of the test.

``open_notebook`` (function) -- the main entry point::

    def test_slider(open_notebook):
        nb = open_notebook("slider", ["import ipywidgets as w", "w.IntSlider(value=3)"])
        nb.run_all()                        # waits until done; fails on an error output
        nb.wait_for(".widget-slider", cell=1)
        nb.shot("slider shown")             # tests/artifacts/test_slider/01-slider-shown.png
        saved = nb.save()                   # Ctrl+S; returns the notebook JSON written to disk
        nb.assert_no_errors()               # error outputs, "Error displaying widget", console errors

    ``open_notebook(name, cells=None, ui="lab", viewport=(1400, 900), wait_kernel=True)``
    writes ``name.ipynb`` (when ``cells`` is given: code strings or ``{"cell_type", "source"}``
    dicts), opens it in a new page (``ui="lab"``: ``/lab/tree/NAME.ipynb``, ``ui="notebook"``:
    Notebook 7 ``/notebooks/NAME.ipynb``), waits for ``.jp-Notebook`` and an idle kernel, and
    returns a :class:`harness.NotebookPage`. Each call opens a new page; pages and their kernels
    are closed at the end of the test. To reopen a saved notebook: ``nb.close()`` then
    ``open_notebook(name)`` without cells.

NotebookPage (``nb``)
    ``nb.page`` (the Playwright Page), ``run_all()``, ``run_cell(i)``, ``add_cell(code)`` (append +
    run: the way to make a "Python-side change"), ``cell(i)`` / ``output(i)`` (locators),
    ``output_text(i)``, ``outputs_json(i)``, ``error_outputs()``, ``wait_for(selector, cell=i)``,
    ``cytoscape_graphs()`` / ``wait_for_graphs(count, min_nodes)`` / ``wait_for_nodes(ids, count)``
    (nodes/edges of every cytoscape.js view on the page, read from the live cytoscape core; a
    card's node id is its ``Card.uid``, so print ``{c.name: c.uid for c in ed.cards}`` in a cell
    to know which ids to expect), ``js(body, arg)`` (async JS
    with ``app``, ``panel``, ``arg`` in scope), ``save()``, ``shot(step, locator=None)``,
    ``console_errors()``, ``widget_errors()``, ``assert_no_errors(console=True, ignore=[regex])``,
    ``reload()``, ``close()``.

Screenshots are numbered across all pages of one test. Look at them (they are the point).
Chromium: ``/usr/bin/chromium`` (``NNCARDS_CHROMIUM=/path`` to use another binary).
Timeouts: ``NNCARDS_E2E_TIMEOUT`` seconds per wait (default 120; TensorFlow imports are slow).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from .harness import JupyterServer, NotebookPage, find_chromium, launch_chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
TIMEOUT = float(os.environ.get("NNCARDS_E2E_TIMEOUT", "120"))
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config, items):
    """Mark the tests of this folder ``browser`` and run them after all other tests."""
    here = Path(__file__).parent
    browser_items = []
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            browser_items.append(item)
    ids = {id(i) for i in browser_items}
    items[:] = [i for i in items if id(i) not in ids] + browser_items


def _unavailable(reason: str):
    """Fail under CI (a missing browser must not look like a pass); skip locally."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set, so browser tests fail instead of skipping)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = JupyterServer(
        tmp_path_factory.mktemp("jupyter"),
        log_path=ARTIFACTS / "jupyter-server.log",
        startup_timeout=TIMEOUT,
    )
    server.start()
    yield server
    server.stop()


# Playwright's sync API keeps an asyncio loop *running* in the main thread while it is started,
# so kernel-side code tested in this process (asyncio.run, "am I in a running loop?") would see
# it. Hence module scope: it is stopped at the end of each browser test module.
@pytest.fixture(scope="module")
def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="module")
def browser(_playwright):
    if find_chromium() is None:
        _unavailable("chromium not found at /usr/bin/chromium: apt-get install -y chromium")
    b = launch_chromium(_playwright)
    yield b
    b.close()


@pytest.fixture
def artifacts(request) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    d = ARTIFACTS / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


@pytest.fixture
def open_notebook(browser, lab_server, artifacts):
    counter = [0]
    opened: list[tuple] = []

    def _open(name: str, cells=None, ui: str = "lab", viewport=(1400, 900),
              wait_kernel: bool = True, metadata: dict | None = None) -> NotebookPage:
        path = name if name.endswith(".ipynb") else name + ".ipynb"
        if cells is not None:
            lab_server.write_notebook(path, cells, metadata)
        elif not (lab_server.root / path).exists():
            raise FileNotFoundError(f"{path} is not in {lab_server.root}; pass cells=[...]")
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        context.set_default_timeout(TIMEOUT * 1000)
        page = context.new_page()
        nb = NotebookPage(page, lab_server, path, ui=ui, artifacts=artifacts, counter=counter,
                          timeout=TIMEOUT)
        opened.append((context, nb))
        try:
            nb.open(wait_kernel=wait_kernel)
        except Exception:
            try:
                nb.shot("open-failed")
            except Exception:
                pass
            raise
        return nb

    yield _open

    for context, nb in opened:
        try:
            context.close()
        except Exception:
            pass
        try:
            lab_server.shutdown_kernels(nb.path)
        except Exception:
            pass


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failing browser test, leave a last screenshot of every open page."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    funcargs = getattr(item, "funcargs", {})
    browser, d = funcargs.get("browser"), funcargs.get("artifacts")
    if browser is None or d is None:
        return
    for ci, ctx in enumerate(browser.contexts):
        for pi, page in enumerate(ctx.pages):
            try:
                page.screenshot(path=str(Path(d) / f"zz-failure-{ci}-{pi}.png"))
            except Exception:
                pass
