"""A real Jupyter server plus a Playwright-driven notebook page, for end-to-end tests.

Used through the fixtures in ``conftest.py`` (read its docstring first); this module holds the
machinery so that it can also be used from a script (e.g. ``benchmarks/render.py``)::

    from tests.e2e.harness import JupyterServer, launch_chromium, NotebookPage
    with JupyterServer(tmpdir) as server, sync_playwright() as pw:
        browser = launch_chromium(pw)
        server.write_notebook("demo.ipynb", ["import ipywidgets as w", "w.IntSlider()"])
        nb = NotebookPage(browser.new_page(), server, "demo.ipynb").open()
        nb.run_all()
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Iterable, Sequence

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Browser console messages that are known noise, not failures (regexes, matched with re.search).
KNOWN_CONSOLE_NOISE = [
    r"Unsatisfied version .* of shared singleton module",  # ipycytoscape pins @jupyter-widgets/base 6
    r"Failed to load resource: the server responded with a status of 404",  # favicons, optional files
    r"/api/(news|update)",
    r"ERR_INTERNET_DISCONNECTED|ERR_NAME_NOT_RESOLVED",
]
# Notebook 7.6 logs these on every notebook page, widgets or not.
KNOWN_CONSOLE_NOISE_NOTEBOOK7 = [
    r"Cannot read properties of undefined \(reading 'schema'\)",
    r"Command 'filebrowser:open-path' not registered",
]

# Settings written into the server's private user-settings dir before it starts:
# {plugin id: settings}. Widget state is saved into notebooks on save; all cells stay in the DOM.
DEFAULT_LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True},
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def find_chromium() -> str | None:
    """Path of the Debian chromium binary, or None. ``NNCARDS_CHROMIUM`` overrides the search."""
    env = os.environ.get("NNCARDS_CHROMIUM")
    if env:
        return env if Path(env).exists() else None
    for cand in CHROMIUM_CANDIDATES:
        if Path(cand).exists():
            return cand
    return shutil.which("chromium")


def launch_chromium(playwright, headless: bool = True, **kwargs):
    """Launch Debian's chromium through Playwright (never Playwright's own browser download)."""
    exe = find_chromium()
    if exe is None:
        raise RuntimeError("chromium not found: install it with `apt-get install -y chromium`")
    return playwright.chromium.launch(
        executable_path=exe, headless=headless, args=list(CHROMIUM_ARGS), **kwargs
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_notebook(cells: Sequence[str | dict], metadata: dict | None = None) -> dict:
    """nbformat-4 JSON for a notebook whose code cells are the given strings.

    A cell may also be a dict: ``{"cell_type": "markdown", "source": "..."}``.
    """
    nb_cells = []
    for c in cells:
        if isinstance(c, str):
            c = {"cell_type": "code", "source": c}
        cell = {
            "cell_type": c.get("cell_type", "code"),
            "id": c.get("id", uuid.uuid4().hex[:8]),
            "metadata": c.get("metadata", {}),
            "source": c["source"],
        }
        if cell["cell_type"] == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
        nb_cells.append(cell)
    md = {
        "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
        "language_info": {"name": "python"},
    }
    md.update(metadata or {})
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": md, "cells": nb_cells}


class JupyterServer:
    """A JupyterLab server (with Notebook 7 at /notebooks/) on a free port, in a private temp dir.

    Layout of ``base`` (a temp dir): ``root/`` (the server's root dir: notebooks go here),
    ``settings/`` (JupyterLab user settings), ``workspaces/``, ``config/``, ``runtime/``,
    ``data/kernels/python3`` (a kernelspec for the current Python), ``server.log``.
    """

    def __init__(self, base: str | Path, settings: dict[str, dict] | None = None,
                 log_path: str | Path | None = None, startup_timeout: float = 120.0):
        self.base = Path(base)
        self.root = self.base / "root"
        self.token = uuid.uuid4().hex
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = dict(DEFAULT_LAB_SETTINGS)
        self.settings.update(settings or {})
        self.log_path = Path(log_path) if log_path else self.base / "server.log"
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self._log = None

    # -- lifecycle -------------------------------------------------------------------------
    def _prepare_dirs(self) -> dict[str, str]:
        for sub in ("root", "settings", "workspaces", "config", "runtime", "data/kernels/python3"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        for plugin, values in self.settings.items():
            self.write_user_settings(plugin, values)
        (self.base / "data/kernels/python3/kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "metadata": {"debugger": False},
        }))
        env = dict(os.environ)
        env.update({
            "JUPYTERLAB_SETTINGS_DIR": str(self.base / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(self.base / "workspaces"),
            "JUPYTER_CONFIG_DIR": str(self.base / "config"),
            "JUPYTER_RUNTIME_DIR": str(self.base / "runtime"),
            # Prepended to the data path: our python3 kernelspec wins over any other.
            "JUPYTER_PATH": os.pathsep.join(
                [str(self.base / "data")] + [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
            ),
            "PYTHONUNBUFFERED": "1",
            # TensorFlow in the kernel: quiet, CPU only.
            "TF_CPP_MIN_LOG_LEVEL": env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            "CUDA_VISIBLE_DEVICES": env.get("CUDA_VISIBLE_DEVICES", ""),
        })
        return env

    def write_user_settings(self, plugin_id: str, values: dict) -> None:
        """Write JupyterLab user settings for ``plugin_id`` (``pkg:plugin``) before/after start.

        Before start this is how settings are forced; after start, prefer ``put_settings``.
        """
        pkg, plugin = plugin_id.split(":", 1)
        path = self.base / "settings" / pkg / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))

    def start(self) -> "JupyterServer":
        env = self._prepare_dirs()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w")
        cmd = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser",
            "--ServerApp.open_browser=False",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.root}",
            f"--IdentityProvider.token={self.token}",
            "--ServerApp.allow_root=True",
            "--LabApp.expose_app_in_browser=True",
            "--JupyterNotebookApp.expose_app_in_browser=True",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=",
            "--ServerApp.terminals_enabled=False",
        ]
        # Serve Notebook 7 at /notebooks/ even where its server extension is not enabled by a
        # config file (e.g. in a venv that sees the packages of another environment).
        import importlib.util
        if importlib.util.find_spec("notebook") is not None:
            cmd.append("--ServerApp.jpserver_extensions={'notebook': True}")
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=self._log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + self.startup_timeout
        last_err: Exception | None = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"Jupyter server exited with code {self.proc.returncode} at start-up.\n"
                    f"--- {self.log_path} ---\n{self.log_tail()}"
                )
            try:
                self.api("GET", "/api/status", timeout=5)
                # Also make sure the lab page itself is served (extensions loaded).
                with urllib.request.urlopen(self.page_url("lab"), timeout=10) as r:
                    if r.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, OSError) as e:
                last_err = e
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(
            f"Jupyter server did not answer on {self.url} within {self.startup_timeout}s "
            f"({last_err}).\n--- {self.log_path} ---\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:  # shuts down kernels too
                self.api("POST", "/api/shutdown", timeout=10)
            except Exception:
                pass
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGTERM)
                    self.proc.wait(timeout=10)
                except (subprocess.TimeoutExpired, ProcessLookupError):
                    try:
                        os.killpg(self.proc.pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    self.proc.wait(timeout=10)
        if self._log:
            self._log.close()
            self._log = None
        self.proc = None

    def __enter__(self) -> "JupyterServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"

    # -- URLs and REST -----------------------------------------------------------------------
    def page_url(self, ui: str = "lab", path: str | None = None) -> str:
        """URL of the JupyterLab (ui="lab") or Notebook 7 (ui="notebook") page, with the token."""
        if ui == "lab":
            p = "/lab" if path is None else f"/lab/tree/{path}"
            # "reset": start from an empty workspace, so tabs of earlier tests are not restored
            return f"{self.url}{p}?reset&token={self.token}"
        elif ui == "notebook":
            p = "/tree" if path is None else f"/notebooks/{path}"
        else:
            raise ValueError(f"ui must be 'lab' or 'notebook', not {ui!r}")
        return f"{self.url}{p}?token={self.token}"

    def api(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def put_settings(self, plugin_id: str, values: dict) -> None:
        """Change JupyterLab settings through the settings API (takes effect for new pages)."""
        self.api("PUT", f"/lab/api/settings/{plugin_id}", {"raw": json.dumps(values)})

    def sessions(self) -> list[dict]:
        return self.api("GET", "/api/sessions")

    def shutdown_kernels(self, path: str | None = None) -> None:
        """Delete the sessions (and kernels) of ``path``, or of every notebook."""
        for s in self.sessions():
            if path is None or s.get("path") == path:
                try:
                    self.api("DELETE", f"/api/sessions/{s['id']}")
                except urllib.error.HTTPError:
                    pass

    # -- files in the root dir -------------------------------------------------------------
    def write_notebook(self, name: str, cells: Sequence[str | dict] | dict, metadata: dict | None = None) -> str:
        """Create ``name`` (``.ipynb`` added if missing) in the root dir; returns its path."""
        if not name.endswith(".ipynb"):
            name += ".ipynb"
        nb = cells if isinstance(cells, dict) else make_notebook(cells, metadata)
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(nb, indent=1))
        return name

    def copy_in(self, src: str | Path, name: str | None = None) -> str:
        """Copy a file (e.g. ``notebooks/quickstart.ipynb``) into the root dir; returns its path."""
        src = Path(src)
        name = name or src.name
        (self.root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, self.root / name)
        return name

    def read_notebook(self, name: str) -> dict:
        return json.loads((self.root / name).read_text())

    def last_modified(self, name: str) -> str | None:
        try:
            return self.api("GET", f"/api/contents/{name}?content=0")["last_modified"]
        except urllib.error.HTTPError:
            return None


def _is_noise(text: str, extra: Iterable[str] = ()) -> bool:
    return any(re.search(p, text) for p in [*KNOWN_CONSOLE_NOISE, *extra])


# JavaScript that finds the notebook panel of a path in either UI (needs expose_app_in_browser).
_JS_PANEL = """
(path) => {
  const app = window.jupyterapp;
  if (!app) return null;
  const match = (w) => w && w.context && w.context.path === path && w.content && w.sessionContext;
  if (match(app.shell.currentWidget)) return app.shell.currentWidget;
  for (const area of ['main', undefined]) {
    try { for (const w of app.shell.widgets(area)) { if (match(w)) return w; } } catch (e) {}
  }
  return null;
}
"""


class NotebookPage:
    """A notebook opened in JupyterLab (ui="lab") or Notebook 7 (ui="notebook") in a Playwright page.

    ``artifacts``: a directory for screenshots; ``shot(step)`` writes ``NN-step.png`` there,
    numbered in order across every NotebookPage that shares the same ``counter`` list.
    """

    def __init__(self, page, server: JupyterServer, path: str, ui: str = "lab",
                 artifacts: str | Path | None = None, counter: list[int] | None = None,
                 timeout: float = 120.0):
        self.page = page
        self.server = server
        self.path = path
        self.ui = ui
        self.artifacts = Path(artifacts) if artifacts else None
        self.counter = counter if counter is not None else [0]
        self.timeout_ms = int(timeout * 1000)
        self.console_messages: list[tuple[str, str]] = []  # (type, text)
        self.page_errors: list[str] = []
        page.on("console", lambda m: self.console_messages.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))

    # -- opening -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.server.page_url(self.ui, self.path)

    def open(self, wait_kernel: bool = True) -> "NotebookPage":
        self.page.goto(self.url, wait_until="domcontentloaded", timeout=self.timeout_ms)
        self.wait_ready(wait_kernel=wait_kernel)
        return self

    def reload(self, wait_kernel: bool = True) -> "NotebookPage":
        self.page.reload(wait_until="domcontentloaded", timeout=self.timeout_ms)
        self.wait_ready(wait_kernel=wait_kernel)
        return self

    def wait_ready(self, wait_kernel: bool = True) -> None:
        """Wait until the notebook is shown and (optionally) its kernel is connected and idle."""
        self.page.wait_for_selector(".jp-Notebook", state="visible", timeout=self.timeout_ms)
        self.page.wait_for_function(
            f"() => ({_JS_PANEL})({json.dumps(self.path)}) !== null", timeout=self.timeout_ms
        )
        js = f"""() => {{
            const p = ({_JS_PANEL})({json.dumps(self.path)});
            if (!p || !p.context.isReady) return false;
            {"" if not wait_kernel else "const k = p.sessionContext.session && p.sessionContext.session.kernel; if (!k || k.status !== 'idle' || k.connectionStatus !== 'connected') return false;"}
            return true;
        }}"""
        self.page.wait_for_function(js, timeout=self.timeout_ms)

    # -- evaluating in the page -------------------------------------------------------------
    def js(self, body: str, arg: Any = None, timeout: float | None = None) -> Any:
        """Run async JS with ``panel`` (the NotebookPanel), ``app`` and ``arg`` in scope; wait for it.

        ``body`` is the body of an async function; use ``return`` to return a JSON-able value.
        """
        token = uuid.uuid4().hex
        script = f"""async ([path, arg, token]) => {{
            const app = window.jupyterapp;
            const panel = ({_JS_PANEL})(path);
            window.__nncardsJs = window.__nncardsJs || {{}};
            const run = async () => {{ {body} }};
            window.__nncardsJs[token] = {{done: false}};
            run().then(v => {{ window.__nncardsJs[token] = {{done: true, value: v}}; }},
                       e => {{ window.__nncardsJs[token] = {{done: true, error: String(e && e.stack || e)}}; }});
        }}"""
        self.page.evaluate(script, [self.path, arg, token])
        self.page.wait_for_function(
            "(t) => window.__nncardsJs[t] && window.__nncardsJs[t].done", arg=token,
            timeout=int(timeout * 1000) if timeout else self.timeout_ms,
        )
        res = self.page.evaluate(
            "(t) => { const r = window.__nncardsJs[t]; delete window.__nncardsJs[t]; return r; }", token
        )
        if "error" in res:
            raise RuntimeError(f"JavaScript failed in the page: {res['error']}")
        return res.get("value")

    # -- running cells -----------------------------------------------------------------------
    def run_all(self, timeout: float | None = None, check: bool = True) -> None:
        """Run all cells and wait until they have run (and the kernel is idle)."""
        self.js("return await app.commands.execute('notebook:run-all-cells');", timeout=timeout)
        self.wait_idle(timeout)
        if check:
            self.assert_no_error_outputs()

    def run_cell(self, index: int, timeout: float | None = None, check: bool = True) -> None:
        """Run the cell at ``index`` (0-based) and wait until it has run."""
        self.js(
            "panel.content.activeCellIndex = arg; panel.content.deselectAll();"
            "return await app.commands.execute('notebook:run-cell');",
            index, timeout=timeout,
        )
        self.wait_idle(timeout)
        if check:
            self.assert_no_error_outputs([index])

    def add_cell(self, source: str, run: bool = True, timeout: float | None = None, check: bool = True) -> int:
        """Append a code cell (and run it); returns its index."""
        index = self.js(
            "const m = panel.content.model; const n = m.cells.length;"
            "m.sharedModel.insertCell(n, {cell_type: 'code', source: arg});"
            "return n;",
            source,
        )
        if run:
            self.run_cell(index, timeout=timeout, check=check)
        return index

    def wait_idle(self, timeout: float | None = None) -> None:
        self.page.wait_for_function(
            f"""() => {{
                const p = ({_JS_PANEL})({json.dumps(self.path)});
                const k = p && p.sessionContext.session && p.sessionContext.session.kernel;
                return k && k.status === 'idle';
            }}""",
            timeout=int(timeout * 1000) if timeout else self.timeout_ms,
        )

    # -- reading cells -----------------------------------------------------------------------
    def cell(self, index: int):
        """Locator of the cell at ``index``."""
        return self.page.locator(".jp-Notebook .jp-Cell").nth(index)

    def output(self, index: int):
        """Locator of the output area of the cell at ``index``."""
        return self.cell(index).locator(".jp-OutputArea")

    def output_text(self, index: int) -> str:
        """Visible text of a cell's outputs (what the user reads)."""
        loc = self.output(index)
        return loc.inner_text() if loc.count() else ""

    def outputs_json(self, index: int) -> list[dict]:
        """The cell's outputs as nbformat dicts, from the notebook model."""
        return self.js("return panel.content.model.cells.get(arg).toJSON().outputs || [];", index)

    def error_outputs(self, indices: Iterable[int] | None = None) -> list[str]:
        """'ename: evalue' of each error output (in ``indices``, or in every cell)."""
        return self.js(
            """const out = []; const cells = panel.content.model.cells;
               for (let i = 0; i < cells.length; i++) {
                 if (arg && !arg.includes(i)) continue;
                 for (const o of (cells.get(i).toJSON().outputs || [])) {
                   if (o.output_type === 'error') out.push(`cell ${i}: ${o.ename}: ${o.evalue}\\n` + (o.traceback || []).join('\\n').replace(/\\x1b\\[[0-9;]*m/g, ''));
                 }
               }
               return out;""",
            list(indices) if indices is not None else None,
        )

    def assert_no_error_outputs(self, indices: Iterable[int] | None = None) -> None:
        errs = self.error_outputs(indices)
        if errs:
            self.shot("error-output")
            raise AssertionError("a cell raised an error:\n" + "\n\n".join(errs))

    def wait_for(self, selector: str, cell: int | None = None, timeout: float | None = None,
                 state: str = "visible"):
        """Wait for ``selector`` (inside the outputs of ``cell`` if given); returns the locator."""
        root = self.output(cell) if cell is not None else self.page
        loc = root.locator(selector).first
        loc.wait_for(state=state, timeout=int(timeout * 1000) if timeout else self.timeout_ms)
        return loc

    def widget_errors(self) -> list[str]:
        """Texts of 'Error displaying widget' messages shown in the page."""
        loc = self.page.get_by_text(re.compile("Error displaying widget"))
        return [loc.nth(i).inner_text() for i in range(loc.count())]

    def console_errors(self, ignore: Iterable[str] = ()) -> list[str]:
        """Console errors and uncaught page errors, minus known noise and ``ignore`` regexes."""
        errs = [t for (kind, t) in self.console_messages if kind == "error"] + self.page_errors
        ignore = list(ignore) + (KNOWN_CONSOLE_NOISE_NOTEBOOK7 if self.ui == "notebook" else [])
        return [e for e in errs if not _is_noise(e, ignore)]

    def assert_no_errors(self, console: bool = True, ignore: Iterable[str] = ()) -> None:
        """No error outputs, no 'Error displaying widget', and (optionally) no console errors."""
        self.assert_no_error_outputs()
        w = self.widget_errors()
        assert not w, f"widget errors shown: {w}"
        if console:
            c = self.console_errors(ignore)
            assert not c, "browser console errors:\n" + "\n".join(c)

    # -- cytoscape graphs (ipycytoscape / NetworkEditor views) ---------------------------------
    def cytoscape_graphs(self) -> list[dict]:
        """Every cytoscape.js instance in the page, in DOM order, as
        ``{"nodes": [{"id", "data", "position"}], "edges": [{"id", "data"}]}``
        (found through the ``_cyreg`` cytoscape.js puts on its container element)."""
        return self.page.evaluate(
            """() => {
                const out = [];
                for (const el of document.querySelectorAll('div')) {
                  const cy = el._cyreg && el._cyreg.cy;
                  if (!cy || cy.destroyed()) continue;
                  out.push({
                    nodes: cy.nodes().map(n => ({id: n.id(), data: n.data(), position: n.position()})),
                    edges: cy.edges().map(e => ({id: e.id(), data: e.data()})),
                  });
                }
                return out;
            }"""
        )

    def wait_for_nodes(self, ids: Iterable[str], count: int = 1, timeout: float | None = None) -> list[dict]:
        """Wait until exactly ``count`` cytoscape views each contain exactly the nodes ``ids``
        among ``ids`` (other nodes are ignored); returns ``cytoscape_graphs()``."""
        want = sorted(ids)
        self.page.wait_for_function(
            """([want, count]) => {
                const seen = [];
                for (const el of document.querySelectorAll('div')) {
                  const cy = el._cyreg && el._cyreg.cy;
                  if (!cy || cy.destroyed()) continue;
                  seen.push(JSON.stringify(cy.nodes().map(n => n.id()).filter(i => want.includes(i)).sort()));
                }
                return seen.length === count && seen.every(s => s === JSON.stringify(want));
            }""",
            arg=[want, count], timeout=int(timeout * 1000) if timeout else self.timeout_ms,
        )
        return self.cytoscape_graphs()

    def wait_for_graphs(self, count: int = 1, min_nodes: int = 1, timeout: float | None = None) -> list[dict]:
        """Wait until at least ``count`` cytoscape graphs each show ``min_nodes`` nodes."""
        self.page.wait_for_function(
            """([count, minNodes]) => {
                let n = 0;
                for (const el of document.querySelectorAll('div')) {
                  const cy = el._cyreg && el._cyreg.cy;
                  if (cy && !cy.destroyed() && cy.nodes().length >= minNodes) n++;
                }
                return n >= count;
            }""",
            arg=[count, min_nodes], timeout=int(timeout * 1000) if timeout else self.timeout_ms,
        )
        return self.cytoscape_graphs()

    # -- saving and screenshots ----------------------------------------------------------------
    def save(self, timeout: float = 30.0) -> dict:
        """Save with Ctrl+S, wait until the file on disk changed; returns the saved notebook JSON."""
        before = self.server.last_modified(self.path)
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Control+s")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            after = self.server.last_modified(self.path)
            dirty = self.js("return panel.context.model.dirty;")
            if after != before and not dirty:
                return self.server.read_notebook(self.path)
            if after != before and dirty:
                # the document changed again after that save (an editor keeps its network in its
                # cell's metadata a moment after each change): save again, as a user would
                before = after
                self.page.keyboard.press("Control+s")
            time.sleep(0.2)
        raise AssertionError(f"{self.path} was not saved within {timeout}s of Ctrl+S")

    def shot(self, step: str, full_page: bool = False, locator=None) -> Path | None:
        """Screenshot into ``<artifacts>/NN-step.png`` (of ``locator`` if given); returns the path."""
        if self.artifacts is None:
            return None
        self.counter[0] += 1
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", step).strip("-") or "step"
        path = self.artifacts / f"{self.counter[0]:02d}-{safe}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if locator is not None:
            locator.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def close(self, shutdown_kernel: bool = True) -> None:
        """Close the page (and shut down the notebook's kernel)."""
        try:
            self.page.close()
        finally:
            if shutdown_kernel:
                self.server.shutdown_kernels(self.path)
