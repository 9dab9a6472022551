"""Benchmark of large networks (issue 10): every target as a ratio measured in one run.

Kernel side (this process, or a fresh child process for memory):

- ``python``:  add + connect + ``build()`` of an N-card chain (Input -> Dense ... -> Output)
  through the editor vs the same model written with the Keras functional API (aim <= 1.3x);
- ``shapes``:  the live shape update after the worst-case edit (the Input card's shape: every
  card is downstream) vs a full rebuild of every card's shape (aim >= 5x cheaper);
- ``inspect``: ``ed.inspect`` of the 100-card network of benchmarks/inspect.py vs one
  ``predict_on_batch`` of the same batch (aim <= 3x);
- ``memory``:  resident memory of a 2,000-card editor (with its live shapes) vs the same Keras
  model, each made in a fresh child process (aim <= 2x).

Browser side (one JupyterLab server, Debian's headless chromium through Playwright, the harness of
tests/e2e like benchmarks/render.py):

- ``display``: running a cell that shows an N-card editor made in Python until every card's
  shape and parameter count are in the page and every card face on screen is decoded and painted,
  vs plain ipycytoscape showing the same nodes and edges (aim <= 2x, and < 8 s at 1,000 cards);
  with the kernel -> page traffic (websocket frames and bytes) of each display;
- ``fluid``:   95th percentile of the frame times while panning (``cy.panBy`` each frame) and
  zooming (mouse wheel notches) at the default view and fitted to all cards (aim < 33 ms at
  1,000 cards, < 50 ms at 2,000);
- ``layout``:  the Layout toolbar button: the longest frame and the total (aim: no frame > 200 ms);
- ``edit``:    one parameter change made in the kernel (``card.units = n``) until the canvas shows
  the card's new shape and the new total (aim < 300 ms), with the traffic of the edit;
- ``tab``:     a fresh tab holding one N-card editor: its JS heap and the memory (PSS) of the
  browser's renderer processes at each step (made, displayed, panned across faces at 100%,
  fitted), the largest against the aim (< 500 MB).

``--profile`` also records Chromium CPU profiles of the display and of panning at the largest
size (through Playwright's CDP session) and prints where the page's time went, by function.

    python benchmarks/scale.py [--cards 1000 2000] [--only display fluid ...] [--repeat 3]
"""

from __future__ import annotations

import argparse
import base64
import gc
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_HERE = Path(__file__).resolve().parent
# keep benchmarks/ off the import path (benchmarks/inspect.py would shadow the standard module)
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

from benchmarks._page import display_timer  # noqa: E402
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

KERNEL = ("python", "shapes", "inspect", "memory")
BROWSER = ("display", "fluid", "layout", "edit", "tab")
WIDTH, UNITS = 16, 8


def rows(title: str, lines: list[tuple[str, str]]):
    print(f"== {title} ==")
    for label, value in lines:
        print(f"  {label:58s} {value}")
    sys.stdout.flush()


_T0 = time.perf_counter()


def progress(what: str):
    """A time-stamped progress line on stderr (a browser run at 2,000 cards takes a while)."""
    print(f"[{time.perf_counter() - _T0:7.1f} s] {what}", file=sys.stderr, flush=True)


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


# -- kernel side ---------------------------------------------------------------------------------

def editor_chain(n: int, build: bool = True):
    """An Input -> (n - 2) Dense -> Output chain through the editor's Python API."""
    from nncards_widget import NetworkEditor

    ed = NetworkEditor()
    prev = first = ed.add("input", name="x", shape=[WIDTH])
    for _ in range(n - 2):
        d = ed.add("Dense", units=UNITS)
        ed.connect(prev, d)
        prev = d
    ed.connect(prev, ed.add("output", name="y"))
    model = ed.build() if build else None
    return ed, first, model


def keras_chain(n: int):
    import keras

    x = keras.Input((WIDTH,), name="x")
    h = x
    for _ in range(n - 2):
        h = keras.layers.Dense(UNITS)(h)
    return keras.Model(x, h)


def bench_python(n: int, repeat: int):
    _, _, m = editor_chain(n)  # warm both paths once
    k = keras_chain(n)
    assert m.count_params() == k.count_params(), "both paths must build the same model"
    ed_t, k_t = [], []
    for _ in range(repeat):  # interleaved
        ed_t.append(median_time(lambda: editor_chain(n), 1))
        k_t.append(median_time(lambda: keras_chain(n), 1))
    e, k = statistics.median(ed_t), statistics.median(k_t)
    rows(f"python: add + connect + build of {n} cards vs the Keras functional API", [
        ("editor (add, connect, build)", f"{e:8.2f} s"),
        ("Keras functional API", f"{k:8.2f} s"),
        ("ratio editor / Keras", f"{e / k:8.2f}x   (aim <= 1.3x)"),
    ])
    return e / k


def bench_shapes(n: int, repeat: int):
    from nncards_widget.builder import ModelBuilder

    ed, x, _ = editor_chain(n, build=False)
    ed.live_shapes.mode = "eager"

    def full_rebuild():
        ModelBuilder(ed.snapshot(), strict=False).build_cards()

    full = median_time(full_rebuild, max(1, repeat))
    widths = [WIDTH + 1, WIDTH]
    times = []
    for i in range(2 * repeat):
        t = time.perf_counter()
        x.shape = [widths[i % 2]]
        times.append(time.perf_counter() - t)
    assert ed.cards[1].param_count == WIDTH * UNITS + UNITS
    edit = statistics.median(times)
    rebuilt = len(ed.live_shapes.last_rebuilt)
    # a new rank: every card's shape changes ([16] <-> [2, 16])
    ranks, rank_times = [[2, WIDTH], [WIDTH]], []
    for i in range(2 * repeat):
        t = time.perf_counter()
        x.shape = ranks[i % 2]
        rank_times.append(time.perf_counter() - t)
    assert ed.cards[n // 2].output_shape == f"(None, {UNITS})"
    assert ed.cards[1].param_count == WIDTH * UNITS + UNITS
    rank = statistics.median(rank_times)
    updated = len(ed.live_shapes.last_rebuilt)
    rows(f"shapes: worst-case shape update at {n} cards (the Input card's shape)", [
        ("full rebuild of every card's shape", f"{full * 1e3:8.1f} ms"),
        (f"edit x.shape, live update ({rebuilt} cards rebuilt)", f"{edit * 1e3:8.1f} ms"),
        ("ratio full rebuild / live update", f"{full / edit:8.2f}x   (aim >= 5x)"),
        (f"edit x.shape to a new rank ({updated} cards, every shape changes)",
         f"{rank * 1e3:8.1f} ms"),
        ("ratio full rebuild / rank-change update", f"{full / rank:8.2f}x   (aim >= 5x)"),
    ])
    return min(full / edit, full / rank)


def bench_inspect(repeat: int):
    import numpy as np

    from nncards_widget import NetworkEditor

    spec = importlib.util.spec_from_file_location("_inspect_benchmark", _HERE / "inspect.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ed = NetworkEditor()
    bench.branched_network(ed, branches=4, depth=23, features=64, units=32, extra_tail=2)
    assert len(ed.cards) == 100, len(ed.cards)
    model = ed.build()
    batch = np.random.default_rng(0).normal(size=(256, 64)).astype("float32")
    feed = {"x": batch}
    model.predict_on_batch(feed)
    ed.inspect(batch)
    pob, ins = [], []
    for _ in range(max(5, repeat)):  # interleaved
        pob.append(median_time(lambda: model.predict_on_batch(feed), 3))
        ins.append(median_time(lambda: ed.inspect(batch), 1))
    p, i = statistics.median(pob), statistics.median(ins)
    # previews are made when asked for: a view asks for the cards on its screen
    screen = [c.uid for c in ed.cards[40:60]]
    made = []
    for _ in range(max(5, repeat)):
        ed.inspect(batch)
        made.append(median_time(lambda: ed._inspector.make(screen), 1))
    m = statistics.median(made)
    assert ed.model is model and all(c.preview for c in ed.cards)
    rows("inspect: ed.inspect of 100 cards (batch 256) vs one predict_on_batch", [
        ("model.predict_on_batch", f"{p * 1e3:8.1f} ms"),
        ("ed.inspect (every card's output; previews pending)", f"{i * 1e3:8.1f} ms"),
        ("ratio inspect / predict_on_batch", f"{i / p:8.2f}x   (aim <= 3x)"),
        ("then the previews of 20 cards on screen", f"{m * 1e3:8.1f} ms"),
        ("ratio (inspect + 20 previews) / predict_on_batch", f"{(i + m) / p:8.2f}x"),
    ])
    return i / p


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory_child(kind: str, n: int):
    """In a fresh process: resident memory added by making the editor or the Keras model."""
    import keras  # noqa: F401  (imports and TF start-up are not counted)

    import nncards_widget  # noqa: F401

    editor_chain(4)  # first-call costs (catalogue, TF functions) are not counted either
    keras_chain(4)
    gc.collect()
    before = _rss()
    keep = editor_chain(n, build=False) if kind == "editor" else keras_chain(n)
    gc.collect()
    print(json.dumps({"bytes": _rss() - before, "cards": n}))
    del keep


def bench_memory(n: int):
    out = {}
    for kind in ("keras", "editor"):
        res = subprocess.run([sys.executable, __file__, "--memory-child", kind, "--cards", str(n)],
                             capture_output=True, text=True, timeout=1800)
        if res.returncode:
            raise RuntimeError(f"memory child {kind} failed:\n{res.stderr[-3000:]}")
        out[kind] = json.loads(res.stdout.strip().splitlines()[-1])["bytes"]
    mb = 1 << 20
    rows(f"memory: resident memory added by a {n}-card network (fresh processes)", [
        ("Keras functional model", f"{out['keras'] / mb:8.1f} MB"),
        ("NetworkEditor with live shapes (not built)", f"{out['editor'] / mb:8.1f} MB"),
        ("ratio editor / Keras", f"{out['editor'] / out['keras']:8.2f}x   (aim <= 2x)"),
    ])
    return out["editor"] / out["keras"]


# -- browser side --------------------------------------------------------------------------------

SETUP = """
import os, time, asyncio
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import ipycytoscape
from ipywidgets.widgets.widget import _instances as widgets_open
from nncards_widget import NetworkEditor

def make_editor(n):
    ed = NetworkEditor()
    cols = max(4, int(n ** 0.5))
    pos = lambda i: {{"x": 320.0 * (i % cols), "y": 420.0 * (i // cols)}}
    cards = [ed.add("input", name="x", shape=[{width}], position=pos(0))]
    for i in range(1, n - 1):
        cards.append(ed.add("Dense", units={units}, position=pos(i)))
    cards.append(ed.add("output", name="y", position=pos(n - 1)))
    for a, b in zip(cards, cards[1:]):
        ed.connect(a, b)
    return ed, cards

def make_plain(ed):
    # plain ipycytoscape with the editor's nodes and edges (same ids and positions)
    plain = ipycytoscape.CytoscapeWidget(cytoscape_layout={{"name": "preset"}})
    plain.layout.height = "640px"
    plain.graph.add_nodes([ipycytoscape.Node(data={{"id": c.uid}}, position=dict(c.position))
                           for c in ed.cards])
    plain.graph.add_edges([ipycytoscape.Edge(data={{"id": w.id, "source": w.data["source"],
                                                  "target": w.data["target"]}}) for w in ed.wires])
    return plain

small_ed, _ = make_editor(6)
small_plain = make_plain(small_ed)
nets = {{}}
"""

MAKE = """
t = time.perf_counter()
before = len(widgets_open)
ed, cards = make_editor({n})
ed.live_shapes.refresh()  # now rather than after the cell: this cell's traffic has the shapes
print("made", {n}, "cards with their shapes in", round(time.perf_counter() - t, 2), "s")
print("widgets opened", len(widgets_open) - before)
"""

MAKE_PLAIN = """
before = len(widgets_open)
nets[{n}] = (ed, make_plain(ed), cards)
print("widgets opened", len(widgets_open) - before)
"""


def lost_opens(output: str, received: int) -> int:
    """Widgets a cell opened in the kernel (its printed 'widgets opened N') whose comm_open never
    reached the page. In a burst of thousands of comm messages the kernel's iopub socket
    (ZeroMQ PUB, default high-water mark 1,000) drops what the Jupyter server has not read yet;
    the page then waits for those widget models forever. The first NetworkEditor made in a
    kernel lifts that mark (nncards_widget/_iopub.py), so after SETUP neither network should
    lose any; this check reports it if one still does."""
    opened = int(re.search(r"widgets opened (\d+)", output).group(1))
    return max(0, opened - received)

# Run one cell and time, in the page, until a new cytoscape core holds every node and edge and
# (ours) every card model has its shape and parameter count, every face on screen is decoded and
# shows its shape. Returns [ms, view marks].
TIME_DISPLAY = display_timer("""
  for (const e of v.view.layer.cards.values()) {
    const m = e.model;
    if (!m.get('output_shape')) return false;
    if (m.get('card_id') === 'Dense' && m.get('param_count') == null) return false;
  }
  return v.shownCards().every(uid => v.faceReady(uid) && (v.faceSvg(uid) || '').includes('(None,'));
""", timeout_ms=600000)

START_FRAMES = """
window.__frames = []; window.__recording = true;
let last = performance.now();
const loop = () => { const now = performance.now(); window.__frames.push(now - last); last = now;
                     if (window.__recording) requestAnimationFrame(loop); };
requestAnimationFrame(loop);
"""

STOP_FRAMES = "window.__recording = false; return window.__frames.slice(1);"

NEWEST = "const vs = window.__nncardsTesting.views; const v = vs[vs.length - 1];"

PAN = NEWEST + """
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
for (let i = 0; i < arg; i++) {
  v.cy.panBy({x: (i % 40 < 20 ? 14 : -14), y: (i % 80 < 40 ? 6 : -6)});
  await frame();
}
"""

# Far-out wires back to curves (CURVED_WIRES) and straight again (FAR_WIRES).
CURVED_WIRES = """
window.__farWires = v.cy.edges('.nnc-far').map(
  e => [e, e.classes().filter(c => /^nnc-(far|lod)/.test(c)).join(' ')]);
v.cy.batch(() => window.__farWires.forEach(([e, c]) => e.removeClass(c)));
"""
FAR_WIRES = "v.cy.batch(() => window.__farWires.forEach(([e, c]) => e.addClass(c)));"

# Zoom from 100% to 30% (cards switch to the far-out drawing) and back: the frame times of each.
LOD_SWITCH = NEWEST + """
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
const centre = {x: v.cy.width() / 2, y: v.cy.height() / 2};
const out = [];
for (const level of [0.3, 1]) {
  const frames = []; let last = performance.now();
  v.cy.zoom({level, renderedPosition: centre});
  for (let i = 0; i < 40; i++) {
    await frame(); const now = performance.now(); frames.push(now - last); last = now;
  }
  out.push(frames);
}
return out;
"""

WAIT_FACES = NEWEST + """
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
const t0 = performance.now();
for (;;) {
  await frame();
  const lod = v.view.viewport.lod;  // the far-out switch, a chunk of cards and wires per frame
  if (v.shownCards().every(uid => v.faceReady(uid)) && !(lod && lod.busy)) {
    return performance.now() - t0;
  }
  if (performance.now() - t0 > 120000) throw new Error('faces timed out');
}
"""

LAYOUT = NEWEST + """
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
const status = v.el.querySelector('[data-testid=nncards-status]');
const t0 = performance.now();
v.el.querySelector('[data-testid=nncards-layout]').click();
for (;;) {
  await frame();
  if ((status.textContent || '').includes('Laid out')) break;
  if (performance.now() - t0 > 300000) throw new Error('layout timed out: ' + status.textContent);
}
const done = performance.now() - t0;
for (let i = 0; i < 30; i++) await frame();
return done;
"""

# Resolve Date.now() when the card's face shows `shape` and the total shows `total` (painted).
WATCH_EDIT = NEWEST + """
const [uid, shape, total] = arg;
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
const totalEl = v.el.querySelector('[data-testid=nncards-total-params]');
for (;;) {
  await frame();
  const face = v.faceSvg(uid) || '';
  const shown = (totalEl.textContent || '').replace(/[^0-9]/g, '');
  if (face.includes(shape) && v.faceReady(uid) && shown === String(total)) {
    await frame(); return Date.now();
  }
}
"""


def p95(frames):
    s = sorted(frames)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))] if s else float("nan")


class Traffic:
    """Kernel -> page websocket frames and bytes, counted through the page's CDP session."""

    def __init__(self, cdp):
        self.frames = self.bytes = self.comm = self.opens = 0
        cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameReceived", self._frame)

    def _frame(self, event):
        resp = event["response"]
        data = resp.get("payloadData", "")
        raw = base64.b64decode(data) if resp.get("opcode") == 2 else data.encode()
        self.frames += 1
        self.bytes += len(raw)
        self.comm += raw.count(b'"comm_msg"')
        self.opens += raw.count(b'"comm_open"')

    def settle(self, page, quiet_ms: int = 1000, longest_s: float = 60):
        """Wait until no frame arrived for ``quiet_ms`` (updates sent after the cell's idle),
        at most ``longest_s``."""
        end = time.monotonic() + longest_s
        while time.monotonic() < end:
            before = self.frames
            page.wait_for_timeout(quiet_ms)
            if self.frames == before:
                return

    def mark(self):
        return (self.frames, self.bytes, self.comm, self.opens)

    def since(self, mark):
        f, b, c, o = self.mark()
        return (f"{f - mark[0]} frames, {o - mark[3]} comm_open + {c - mark[2]} comm_msg, "
                f"{(b - mark[1]) / 1e6:.2f} MB")


def renderer_rss() -> int:
    """Proportional set size (shared pages split between their users) of the chromium
    renderer processes started under this process."""
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
                parent[int(d.name)] = ppid
            except (OSError, IndexError, ValueError):
                pass

    def ours(pid):
        while pid > 1:
            if pid == os.getpid():
                return True
            pid = parent.get(pid, 0)
        return False

    total = 0
    for pid in parent:
        if not ours(pid):
            continue
        try:
            if b"--type=renderer" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def print_profile(profile: dict, what: str, top: int = 18):
    nodes = {n["id"]: n for n in profile["nodes"]}
    self_ms: dict = {}
    for sample, dt in zip(profile["samples"], profile["timeDeltas"], strict=False):
        cf = nodes[sample]["callFrame"]
        where = (cf["url"].rsplit("/", 1)[-1] or "(native)")
        key = f"{cf['functionName'] or '(anonymous)'}  {where}:{cf['lineNumber'] + 1}"
        self_ms[key] = self_ms.get(key, 0.0) + dt / 1000
    total = sum(self_ms.values())
    print(f"  CPU profile of {what}: {total:.0f} ms sampled; self time by function:")
    for key, ms in sorted(self_ms.items(), key=lambda kv: -kv[1])[:top]:
        print(f"    {ms:8.0f} ms {100 * ms / total:5.1f}%  {key}")


def bench_browser(sizes: list[int], only: set, repeat: int, profile: bool):
    from playwright.sync_api import sync_playwright

    from tests.e2e.harness import JupyterServer, NotebookPage, launch_chromium

    with tempfile.TemporaryDirectory() as tmp, JupyterServer(Path(tmp)) as server, \
            sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        cdp = page.context.new_cdp_session(page)
        traffic = Traffic(cdp)
        cells = [SETUP.format(width=WIDTH, units=UNITS),
                 "small_plain", "small_ed"]
        for n in sizes:
            cells += [MAKE.format(n=n), MAKE_PLAIN.format(n=n), f"nets[{n}][1]", f"nets[{n}][0]"]
        server.write_notebook("scale_bench.ipynb", cells)
        nb = NotebookPage(page, server, "scale_bench.ipynb", timeout=1200).open()
        nb.run_cell(0, timeout=3600)
        for idx, ours in ((1, False), (2, True)):  # load both front ends once
            nb.js(TIME_DISPLAY, [idx, 6, 5, ours], timeout=300)
        for k, n in enumerate(sizes):
            if not only & {"display", "fluid", "layout", "edit"}:
                break  # only the tab memory, measured in fresh tabs below
            make_cell, plain_cell, ours_cell = 3 + 4 * k, 5 + 4 * k, 6 + 4 * k
            nb.wait_idle()
            mark = traffic.mark()
            progress(f"making {n} cards in the kernel")
            nb.run_cell(make_cell, timeout=3600)
            nb.wait_idle()
            traffic.settle(page)  # live shapes publish after the cell
            made = nb.output_text(make_cell)
            lines = [(made.strip().splitlines()[0] + " (cell); its traffic",
                      traffic.since(mark))]
            lost_ours = lost_opens(made, traffic.mark()[3] - mark[3])
            mark = traffic.mark()
            nb.run_cell(make_cell + 1, timeout=3600)
            nb.wait_idle()
            traffic.settle(page)
            lines.append(("the same nodes and edges as plain ipycytoscape widgets; traffic",
                          traffic.since(mark)))
            lost_plain = lost_opens(nb.output_text(make_cell + 1), traffic.mark()[3] - mark[3])
            for who, lost in (("card canvas", lost_ours), ("plain ipycytoscape", lost_plain)):
                if lost:
                    lines.append((f"LOST: {who}: widgets whose comm_open never reached the page",
                                  f"{lost}   (kernel iopub dropped them in the burst; its "
                                  "display would wait forever: not timed)"))
            if lost_ours:
                rows(f"browser: {n} cards", lines)
                continue
            if only & {"display", "fluid", "layout", "edit"}:
                plain_ms, ours_ms, plain_traffic, ours_traffic = [], [], "", ""
                reps = repeat if "display" in only else 1
                for r in range(reps):
                    progress(f"display {r + 1} of {reps}, {n} cards")
                    nb.wait_idle()
                    mark = traffic.mark()
                    if not lost_plain:
                        plain_ms.append(nb.js(TIME_DISPLAY, [plain_cell, n, n - 1, False],
                                              timeout=1200)[0])
                        nb.wait_idle()
                        plain_traffic = traffic.since(mark)
                    mark = traffic.mark()
                    last = r == reps - 1
                    if last and profile:
                        cdp.send("Profiler.enable")
                        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
                        cdp.send("Profiler.start")
                    ms, marks = nb.js(TIME_DISPLAY, [ours_cell, n, n - 1, True], timeout=1200)
                    if last and profile:
                        prof = cdp.send("Profiler.stop")["profile"]
                    ours_ms.append(ms)
                    nb.wait_idle()
                    ours_traffic = traffic.since(mark)
                o = statistics.median(ours_ms)
                p = statistics.median(plain_ms) if plain_ms else float("nan")
                if "display" in only:
                    lines += [
                        ("plain ipycytoscape, same nodes and edges",
                         f"{p:8.0f} ms  {sorted(round(x) for x in plain_ms)}" if plain_ms
                         else "not shown: widgets lost (above)"),
                        ("  its traffic", plain_traffic),
                        ("card canvas: every shape and parameter count drawn",
                         f"{o:8.0f} ms  {sorted(round(x) for x in ours_ms)}"),
                        ("  its traffic", ours_traffic),
                        ("  view marks (ms after the cell ran)", json.dumps(marks)),
                        ("ratio card canvas / plain ipycytoscape",
                         f"{o / p:8.2f}x   (aim <= 2x; < 8 s at 1,000 cards)"),
                    ]
            if "fluid" in only:
                progress("pan and zoom")
                aim = 33 if n <= 1000 else 50
                for where in ("default view", "at 100% (faces)", "fitted to all cards"):
                    if where == "at 100% (faces)":
                        nb.js(NEWEST + f"const e = v.cardsInfo()[{n // 2}]; v.cy.zoom(1);"
                              "v.cy.center(v.cy.getElementById(e.uid));")
                        nb.js(WAIT_FACES, timeout=300)
                    elif where != "default view":
                        nb.js(NEWEST + "v.fitView(true);")
                        nb.js(WAIT_FACES, timeout=300)
                    if where == "fitted to all cards":
                        # the same pan with the wires drawn as curves between port dots, as
                        # near (far out they are straight lines between centres, lod.ts)
                        nb.js(NEWEST + CURVED_WIRES)
                        nb.js(WAIT_FACES, timeout=300)
                        nb.js(START_FRAMES)
                        nb.js(PAN, 120, timeout=600)
                        curved = nb.js(STOP_FRAMES)
                        nb.js(NEWEST + FAR_WIRES)
                        lines.append(("pan, fitted, wires as curves (as before far-out wires)",
                                      f"{p95(curved):6.1f} / {max(curved):6.0f} ms"))
                    profiling = profile and n == sizes[-1] and where == "at 100% (faces)"
                    if profiling:
                        cdp.send("Profiler.enable")
                        cdp.send("Profiler.setSamplingInterval", {"interval": 500})
                        cdp.send("Profiler.start")
                    nb.js(START_FRAMES)
                    nb.js(PAN, 120, timeout=600)
                    pan = nb.js(STOP_FRAMES)
                    if profiling:
                        pan_profile = cdp.send("Profiler.stop")["profile"]
                    box = page.evaluate(
                        "() => { const vs = window.__nncardsTesting.views;"
                        " const r = vs[vs.length - 1].cy.container().getBoundingClientRect();"
                        " return [r.x + r.width / 2, r.y + r.height / 2]; }")
                    page.mouse.move(*box)
                    nb.js(START_FRAMES)
                    for i in range(24):
                        page.mouse.wheel(0, -120 if (i // 6) % 2 == 0 else 120)
                        page.wait_for_timeout(50)
                    nb.js(WAIT_FACES, timeout=300)
                    zoom = nb.js(STOP_FRAMES)
                    if where == "at 100% (faces)":
                        # zoom out across the switch to the far-out drawing (lod.ts) and back
                        switch = nb.js(LOD_SWITCH, timeout=300)
                        lines.append(("zoom 100% -> 30% -> 100% (far-out switch): longest frame",
                                      f"{max(switch[0]):6.0f} / {max(switch[1]):6.0f} ms"
                                      "   (was one 400-650 ms frame)"))
                    lines += [
                        (f"pan, {where}: p95 / max frame ({len(pan)} frames)",
                         f"{p95(pan):6.1f} / {max(pan):6.0f} ms   (aim p95 < {aim} ms)"),
                        (f"zoom, {where}: p95 / max frame ({len(zoom)} frames)",
                         f"{p95(zoom):6.1f} / {max(zoom):6.0f} ms   (aim p95 < {aim} ms)"),
                    ]
            if "edit" in only:
                progress("edits")
                lat, edit_traffic = [], ""
                mid = n // 2
                info = nb.js(NEWEST + f"const e = v.cardsInfo()[{mid}]; v.cy.zoom(1);"
                             "v.cy.center(v.cy.getElementById(e.uid)); return e.uid;")
                nb.wait_idle()
                base = json.loads(nb.output_text(nb.add_cell(
                    f"ed, _, cards = nets[{n}]\nprint(ed.total_params)")).strip())
                nb.wait_idle()
                for k2 in range(repeat):
                    u = 9 + k2
                    total = base + (UNITS * u + u) + (u * UNITS + UNITS) \
                        - 2 * (UNITS * UNITS + UNITS)
                    page.evaluate(
                        "([body, arg, token]) => { const f = new Function('arg', 'return (async"
                        " () => {' + body + '})()'); window[token] = null;"
                        " f(arg).then(t => { window[token] = t; }); }",
                        [WATCH_EDIT, [info, f"(None, {u})", total], f"edit{k2}"])
                    mark = traffic.mark()
                    nb.add_cell(
                        "stamps = []\n"
                        "def change():\n"
                        "    stamps.append(time.time() * 1000)\n"
                        f"    cards[{mid}].units = {u}\n"
                        "asyncio.get_running_loop().call_later(1.0, change)\n")
                    page.wait_for_function(f"() => window['edit{k2}'] !== null", timeout=120000)
                    nb.wait_idle()
                    edit_traffic = traffic.since(mark)
                    i = nb.add_cell("import json; print(json.dumps(stamps))")
                    stamp = json.loads(nb.output_text(i).strip())[0]
                    lat.append(page.evaluate(f"() => window['edit{k2}']") - stamp)
                lines += [
                    ("one parameter edit until new shape and total are drawn",
                     f"{statistics.median(lat):8.0f} ms  {sorted(round(x) for x in lat)}"
                     "   (aim < 300 ms)"),
                    ("  traffic of the last edit", edit_traffic),
                ]
            if "layout" in only:
                progress("layout")
                nb.js(START_FRAMES)
                done = nb.js(LAYOUT, timeout=900)
                frames = nb.js(STOP_FRAMES)
                lines.append(("Layout button: done in / longest frame",
                              f"{done:8.0f} ms / {max(frames):6.0f} ms   (aim: no frame > 200 ms)"))
            rows(f"browser: {n} cards", lines)
            if profile and "display" in only and n == sizes[-1]:
                print_profile(prof, "the display")
            if profile and "fluid" in only and n == sizes[-1]:
                print_profile(pan_profile, "panning at 100%")
        page.close()
        if "tab" in only:
            server.shutdown_kernels()
            for n in sizes:
                bench_tab(browser, server, n)
        browser.close()


def bench_tab(browser, server, n: int):
    """The memory of a tab holding one N-card editor: a fresh page (its own renderer process) with
    a notebook that makes the network and shows it, measured at each step of a user's session."""
    progress(f"tab memory, {n} cards")
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    name = f"scale_tab_{n}.ipynb"
    from tests.e2e.harness import NotebookPage

    server.write_notebook(name, [SETUP.format(width=WIDTH, units=UNITS),
                                 MAKE.format(n=n), "ed"])
    nb = NotebookPage(page, server, name, timeout=1200).open()
    steps = []

    def measure(label):
        cdp.send("HeapProfiler.collectGarbage")
        page.wait_for_timeout(1000)
        heap = cdp.send("Runtime.getHeapUsage")["usedSize"]
        steps.append((label, heap, renderer_rss()))

    nb.run_cell(0, timeout=3600)
    measure("JupyterLab and the kernel, no network yet")
    nb.run_cell(1, timeout=3600)
    nb.wait_idle()
    page.wait_for_timeout(2000)
    measure(f"{n} cards made in the kernel (their widget models in the page)")
    nb.run_cell(2, timeout=3600)
    nb.wait_idle()
    nb.js(WAIT_FACES, timeout=300)
    measure("the editor displayed, framed whole")
    nb.js(NEWEST + f"const e = v.cardsInfo()[{n // 2}]; v.cy.zoom(1);"
          "v.cy.center(v.cy.getElementById(e.uid));")
    nb.js(WAIT_FACES, timeout=300)
    nb.js(PAN.replace("(i % 40 < 20 ? 14 : -14)", "-20").replace("(i % 80 < 40 ? 6 : -6)", "0"),
          200, timeout=600)
    nb.js(WAIT_FACES, timeout=300)
    measure("at 100%, after panning 4,000 px across card faces")
    nb.js(NEWEST + "v.fitView(true);")
    nb.js(WAIT_FACES, timeout=300)
    measure("fitted to all cards again")
    context.close()
    server.shutdown_kernels()
    peak = max(rss for _, _, rss in steps)
    rows(f"tab memory: one {n}-card editor in a fresh JupyterLab tab "
         "(JS heap used / renderer processes' PSS)",
         [(label, f"{heap / 1e6:6.0f} MB / {rss / 1e6:6.0f} MB") for label, heap, rss in steps]
         + [("tab at its largest (aim < 500 MB)", f"{peak / 1e6:6.0f} MB")])
    return peak


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cards", type=int, nargs="+", default=[1000, 2000],
                    help="network sizes for the browser and shape measurements (memory uses the "
                         "largest)")
    ap.add_argument("--only", nargs="+", choices=KERNEL + BROWSER, default=list(KERNEL + BROWSER))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true",
                    help="print CPU profiles of the page while displaying and panning the "
                         "largest network")
    ap.add_argument("--memory-child", choices=("editor", "keras"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.memory_child:
        memory_child(args.memory_child, args.cards[0])
        return
    only = set(args.only)
    sizes = sorted(args.cards)
    print(f"benchmarks/scale.py: cards {sizes}, repeat {args.repeat}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    if "python" in only:
        bench_python(sizes[0], args.repeat)
    if "shapes" in only:
        for n in sizes:
            bench_shapes(n, args.repeat)
    if "inspect" in only:
        bench_inspect(args.repeat)
    if "memory" in only:
        bench_memory(sizes[-1])
    if only & set(BROWSER):
        bench_browser(sizes, only, args.repeat, args.profile)


if __name__ == "__main__":
    main()
