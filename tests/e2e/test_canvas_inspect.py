"""Inline inspection in the browser: ``ed.inspect(sample)`` previews on the card faces, the large
preview with every statistic in the inspector, and the stale marker after a change made in Python.

The kernel computes the statistics of ``ed.outputs[name]`` with numpy and prints them as JSON; the
test compares them with what the view shows (the inspector's ``data-value`` attributes carry the
raw numbers next to the rounded text).
"""

from __future__ import annotations

import json
import math

from .canvas_helpers import Canvas

CLASSIFIER = (
    "import json\n"
    "import numpy as np\n"
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[13])\n"
    "hidden = ed.add('Dense', name='hidden', units=8, activation='relu')\n"
    "probs = ed.add('Dense', name='probs', units=3, activation='softmax')\n"
    "y = ed.add('output', name='species')\n"
    "ed.connect(x, hidden); ed.connect(hidden, probs); ed.connect(probs, y)\n"
    "model = ed.build()\n"
    "sample = np.random.default_rng(0).normal(size=(16, 13)).astype('float32')\n"
    "def stats(editor):\n"
    "    out = {}\n"
    "    for name, a in editor.outputs.items():\n"
    "        a = np.asarray(a, dtype='float64')\n"
    "        out[name] = dict(shape=list(a.shape), min=a.min(), mean=a.mean(), max=a.max(),\n"
    "                         std=a.std(), zeros=float((a == 0).mean()))\n"
    "    return json.dumps(out)"
)

TEXT = (
    "LENGTH = 12\n"
    "ed2 = NetworkEditor()\n"
    "tokens = ed2.add('input', name='tokens', shape=[LENGTH])\n"
    "emb = ed2.add('Embedding', input_dim=30, output_dim=8, mask_zero=True)\n"
    "lstm = ed2.add('LSTM', units=6)\n"
    "bi = ed2.add('Bidirectional', merge_mode='concat')\n"
    "score = ed2.add('Dense', name='score', units=1, activation='sigmoid')\n"
    "ed2.connect(tokens, emb)\n"
    "ed2.connect(lstm['Layer instance'], bi['Layer'])\n"
    "ed2.connect(emb, bi); ed2.connect(bi, score)\n"
    "ed2.connect(score, ed2.add('output', name='label'))\n"
    "model2 = ed2.build()\n"
    "ids = np.random.default_rng(1).integers(1, 30, size=(4, LENGTH))\n"
    "ids[:, 8:] = 0  # padding"
)


def _kernel_stats(nb, cell: int) -> dict:
    """The JSON printed by ``print('STATS', stats(ed))`` (warnings may share the output)."""
    for line in nb.output_text(cell).splitlines():
        if line.startswith("STATS "):
            return json.loads(line[len("STATS "):])
    raise AssertionError(f"no STATS line in the output of cell {cell}: {nb.output_text(cell)!r}")


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-4, abs_tol=1e-6)


def _inspector_stats(canvas: Canvas) -> dict:
    return canvas.eval(
        "Object.fromEntries(Array.from(v.el.querySelectorAll('[data-testid=nncards-preview-stats] [data-stat]'))"
        ".map(el => [el.dataset.stat, {raw: el.dataset.value, text: el.querySelector('code').textContent}]))")


def test_canvas_inspect_previews(open_notebook):
    nb = open_notebook("canvas_inspect",
                       [CLASSIFIER, "ed", "outs = ed.inspect(sample)\nprint('STATS', stats(ed))"],
                       viewport=(1900, 1100))  # readable beside the inspector
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(4)
    canvas.wait_wires(3)
    kernel = _kernel_stats(nb, 2)
    assert set(kernel) >= {"features", "hidden", "probs"}

    # every card with an output shows its preview on its face: picture, shape line, min/mean/max
    canvas.wait("v.cardsInfo().filter(c => c.preview).length === 4")
    info = {c["name"]: c for c in canvas.cards()}
    for name in ("features", "hidden", "probs"):
        pv = info[name]["preview"]
        assert pv and pv["image"], (name, pv)
        shape = "(" + ", ".join(map(str, kernel[name]["shape"])) + ")"
        assert pv["caption"].startswith(shape + " · float32"), pv
        assert pv["stats"].startswith("min "), pv
        face = canvas.face(info[name]["uid"])
        assert "<image" in face and "data:image/png;base64," in face
        assert shape in face and "mean " in face and "STALE" not in face
        assert not info[name]["stale"]
    assert info["species"]["preview"]  # the Output card shows the network's output too
    # a ReLU layer's zeros show in its caption
    zeros = kernel["hidden"]["zeros"]
    if zeros > 0:
        assert "zeros" in info["hidden"]["preview"]["caption"]
    nb.shot("previews on the card faces", locator=canvas.root)

    # selecting a card shows the large picture and every statistic, equal to the kernel's numpy
    canvas.click_card(info["hidden"]["uid"])
    insp = canvas.root.locator('[data-testid="nncards-inspector"]')
    insp.locator('[data-testid="nncards-preview-image"]').wait_for(state="visible")
    large = canvas.eval("v.el.querySelector('[data-testid=nncards-preview-image]').naturalWidth")
    assert large >= 300  # image_large, not the small card picture
    shown = _inspector_stats(canvas)
    want = kernel["hidden"]
    assert json.loads(shown["shape"]["raw"]) == want["shape"]
    assert shown["dtype"]["text"] == "float32"
    for key in ("min", "mean", "max", "std", "zeros"):
        assert _close(float(shown[key]["raw"]), want[key]), (key, shown[key], want[key])
    assert shown["mean"]["text"] == _fmt3(want["mean"])
    assert insp.locator('[data-testid="nncards-preview-stale"]').count() == 0
    nb.shot("inspector large preview and stats", locator=canvas.root)

    # a parameter changed in Python marks the previews stale, on the faces and in the inspector
    nb.add_cell("hidden.units = 5")
    canvas.wait("v.cardsInfo().filter(c => c.stale).length === 4")
    for c in canvas.cards():
        if c["preview"]:
            assert "STALE" in canvas.face(c["uid"]), c["name"]
    insp.locator('[data-testid="nncards-preview-stale"]').wait_for(state="visible")
    assert canvas.eval("v.el.querySelector('[data-testid=nncards-preview]').dataset.stale") == "true"
    nb.shot("stale after a python-side change", locator=canvas.root)

    # inspecting again refreshes them: the previews of the cards on screen (and the inspector's)
    # are made at once; a card out of view shows its shape only, until it is brought into view
    i = nb.add_cell("outs = ed.inspect(sample)\nprint('STATS', stats(ed))")
    kernel = _kernel_stats(nb, i)
    canvas.wait("v.cardsInfo().filter(c => c.stale).length === 0 && v.cardsInfo().filter(c => c.preview).length >= 3")
    assert canvas.card("hidden")["preview"]["caption"].startswith("(16, 5)")
    shown = _inspector_stats(canvas)
    assert _close(float(shown["mean"]["raw"]), kernel["hidden"]["mean"])
    nb.shot("refreshed by inspecting again", locator=canvas.root)
    assert all(c["preview"] or c["previewPending"] for c in canvas.cards())
    canvas.eval("v.fitView()")
    canvas.wait("v.cardsInfo().filter(c => c.preview).length === 4")
    assert canvas.card("species")["preview"]["stats"].startswith("min ")
    nb.shot("every card in view has its preview", locator=canvas.root)
    nb.assert_no_errors()


def test_canvas_inspect_embedding_heatmap(open_notebook):
    nb = open_notebook("canvas_inspect_text",
                       [CLASSIFIER, TEXT, "ed2", "outs2 = ed2.inspect(ids)\nprint('STATS', stats(ed2))"],
                       viewport=(1900, 1100))  # readable beside the inspector
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(6)
    canvas.wait_wires(5)
    kernel = _kernel_stats(nb, 3)
    assert kernel["embedding"]["shape"] == [4, 12, 8]
    canvas.wait("v.cardsInfo().filter(c => c.preview).length === 5")
    info = {c["name"]: c for c in canvas.cards()}
    assert info["embedding"]["preview"]["caption"].startswith("(4, 12, 8)")
    # the LSTM lives inside the Bidirectional wrapper: no output of its own, and no error styling
    assert info["lstm"]["preview"] is None
    assert not canvas.eval("v.cy.getElementById(arg).hasClass('nnc-error')", info["lstm"]["uid"])
    canvas.click_card(info["embedding"]["uid"])
    img = canvas.root.locator('[data-testid="nncards-preview-image"]')
    img.wait_for(state="visible")
    assert img.get_attribute("data-kind") == "heatmap"
    shown = _inspector_stats(canvas)
    for key in ("min", "mean", "max", "std"):
        assert _close(float(shown[key]["raw"]), kernel["embedding"][key]), key
    nb.shot("embedding heatmap and wrapped lstm", locator=canvas.root)
    nb.assert_no_errors()


def _fmt3(v: float) -> str:
    """The view's formatStat for ordinary magnitudes (three significant digits)."""
    if v == 0:
        return "0"
    if abs(v) < 1e-3 or abs(v) >= 1e5:
        return None  # not used for such values here
    s = f"{float(f'{v:.3g}')}"
    return s[:-2] if s.endswith(".0") else s
