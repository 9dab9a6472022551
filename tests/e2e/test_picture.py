"""The kernel's picture of a network (ed.to_svg / ed.to_png) against the canvas that shows it:
the same card boxes, port dots, texts and wire ends, within a pixel."""

from __future__ import annotations

import html
import json
import math
import re

from .canvas_helpers import Canvas

NET = (
    "import numpy as np\n"
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[6, 4], position={'x': 0, 'y': 0})\n"
    "lstm = ed.add('LSTM', name='encoder', units=12, return_sequences=True,"
    " position={'x': 330, 'y': 0})\n"
    "flat = ed.add('Flatten', name='flat', position={'x': 640, 'y': 0})\n"
    "d = ed.add('Dense', name='hidden', units=8, activation='relu', trainable=False,"
    " position={'x': 940, 'y': 0})\n"
    "out = ed.add('output', name='score', position={'x': 1240, 'y': 0})\n"
    "init = ed.add('initializer_RandomNormal', name='init', stddev=0.125,"
    " position={'x': 640, 'y': 330})\n"
    "ed.add('Dropout', name='lone', rate=0.25, position={'x': 330, 'y': 420})\n"
    "bad = ed.add('Reshape', name='bad', target_shape=[7], position={'x': 1240, 'y': 330})\n"
    "ed.connect(x, lstm); ed.connect(lstm, flat); ed.connect(flat, d); ed.connect(d, out)\n"
    "ed.connect(init, d['Kernel initializer']); ed.connect(flat, bad)\n"
    "ed.inspect(np.linspace(-1, 1, 48, dtype='float32').reshape(2, 6, 4))\n"
    "ed"
)

SCENE = (
    "import json\n"
    "from nncards_widget.picture import network_scene, Circle, Text\n"
    "s = network_scene(ed)\n"
    "print(json.dumps({'cards': {c.uid: {'name': c.name, 'x': c.x, 'y': c.y, 'width': c.width,"
    " 'height': c.height, 'inputs': c.geom.input_ports, 'outputs': c.geom.output_ports,"
    " 'texts': [t.text for t in c.shapes if isinstance(t, Text)],"
    " 'dots': [[d.cx, d.cy, d.fill, d.stroke] for d in c.shapes if isinstance(d, Circle)]}"
    " for c in s.cards}, 'wires': {w.id: w.points for w in s.wires}}))\n"
    "ed.to_png(ARTIFACTS + '/python-picture.png')\n"
    "print('saved')"
)


def _face_texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def _face_dots(svg: str) -> list[list]:
    dots = []
    for attrs in re.findall(r"<circle ([^>]*)/>", svg):
        a = dict(re.findall(r'([\w-]+)="([^"]*)"', attrs))
        dots.append([float(a["cx"]), float(a["cy"]), a["fill"], a.get("stroke")])
    return dots


def _assert_same_as_canvas(canvas: Canvas, py: dict) -> None:
    """The Python scene ``py`` (SCENE's JSON) against the canvas: card boxes and port dots within
    a pixel, the same face texts in the same order, the same dots and colours, the same wire
    ends and handles."""
    boxes = canvas.eval("v.cardBoxes()")
    assert set(boxes) == set(py["cards"])
    for uid, c in py["cards"].items():
        b = boxes[uid]
        for k in ("x", "y", "width", "height"):
            assert abs(b[k] - c[k]) <= 1, (c["name"], k, b[k], c[k])
        for side in ("inputs", "outputs"):
            assert set(b[side]) == set(c[side]), (c["name"], side, b[side], c[side])
            for port, p in b[side].items():
                q = c[side][port]
                assert math.dist((p["x"], p["y"]), (c["x"] + q[0], c["y"] + q[1])) <= 1, \
                    (c["name"], port, p, q)
        # the same texts (title, name, rows, values, "+" row, footer, preview lines) in the same
        # order, and the same port dots in the same colours
        face = canvas.face(uid)
        assert _face_texts(face) == c["texts"], c["name"]
        dots = _face_dots(face)
        assert len(dots) == len(c["dots"]), c["name"]
        for a, b2 in zip(dots, c["dots"], strict=True):
            assert abs(a[0] - b2[0]) <= 1 and abs(a[1] - b2[1]) <= 1 and a[2:] == b2[2:], \
                (c["name"], a, b2)

    # wires: the same ends and handles as the curves cytoscape draws
    edges = canvas.eval("Object.fromEntries(v.cy.edges().map(e => [e.id(), "
                        "[e.sourceEndpoint(), ...(e.controlPoints() || []), e.targetEndpoint()]]))")
    assert set(edges) == set(py["wires"])
    for wid, pts in py["wires"].items():
        drawn = edges[wid]
        assert len(drawn) == len(pts) == 4, (wid, drawn)
        for p, q in zip(drawn, pts, strict=True):
            assert math.dist((p["x"], p["y"]), q) <= 1, (wid, p, q)


def test_the_python_picture_matches_the_canvas(open_notebook, artifacts):
    nb = open_notebook("picture", [NET], viewport=(1500, 1000))
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait("v.catalogSize > 50")
    canvas.wait_cards(8)
    canvas.wait_wires(6)
    i = nb.add_cell(f"ARTIFACTS = {str(artifacts)!r}\n" + SCENE)
    lines = nb.output_text(i).strip().splitlines()
    assert lines[-1] == "saved", lines
    py = json.loads(lines[-2])
    # the inspection previews reached the faces (not the error card's, nor the left-out one's)
    previews = sum(1 for c in py["cards"].values() if "min " in " ".join(c["texts"]))
    assert previews == 5, py
    canvas.wait("v.cardsInfo().filter(c => c.preview).length === arg", previews)
    canvas.eval("v.fitView()")
    nb.page.wait_for_timeout(500)
    nb.shot("the canvas", locator=canvas.root)
    hidden = next(uid for uid, c in py["cards"].items() if c["name"] == "hidden")
    canvas.eval("(v.cy.zoom(1), v.cy.center(v.cy.getElementById(arg)))", hidden)
    canvas.wait("v.faceReady(arg)", hidden)
    nb.page.wait_for_timeout(500)
    nb.shot("the canvas at 100%", locator=canvas.root)

    _assert_same_as_canvas(canvas, py)
    names = {c["name"] for c in py["cards"].values()}
    assert {"hidden", "bad", "lone", "init"} <= names
    assert (artifacts / "python-picture.png").stat().st_size > 10_000

    # as a cell's result, the picture shows in the notebook (not a page of SVG text)
    j = nb.add_cell("ed.to_svg()")
    data = nb.outputs_json(j)[-1]["data"]
    assert data["image/svg+xml"].startswith("<svg") and "picture" in data["text/plain"], data.keys()
    out = nb.output(j)
    pic = out.locator("img, svg").first
    pic.wait_for(state="visible")
    assert "<svg" not in nb.output_text(j)
    # wider than the output, the picture is shown at the output's width, whole
    box, area = pic.bounding_box(), out.bounding_box()
    assert 150 < box["height"] and box["x"] + box["width"] <= area["x"] + area["width"] + 1, \
        (box, area)
    w, h = map(int, re.search(r'viewBox="\S+ \S+ (\d+) (\d+)"', data["image/svg+xml"]).groups())
    ratio = h / w
    assert abs(box["height"] / box["width"] - ratio) < 0.02, (box, ratio)
    nb.shot("the picture as a cell's result", locator=out)
    nb.assert_no_errors()


def test_a_nested_model_is_pictured_as_the_canvas_draws_it_closed(open_notebook, artifacts):
    nb = open_notebook("picture_nested", [
        "import keras\n"
        "from nncards_widget import NetworkEditor\n"
        "inner = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name='a'),"
        " keras.layers.Dense(2, name='b')], name='twin')\n"
        "x = keras.Input((4,), name='x')\n"
        "ed = NetworkEditor.from_model(keras.Model(x, keras.layers.Dense(2, name='top')(inner(x))))\n"
        "ed",
    ], viewport=(1900, 1000))  # wide enough to show the four cards readable beside the inspector
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(4)
    canvas.wait("v.cardsInfo().every(c => v.faceSvg(c.uid).includes('(None, '))")
    i = nb.add_cell(f"ARTIFACTS = {str(artifacts)!r}\n" + SCENE)
    lines = nb.output_text(i).strip().splitlines()
    assert lines[-1] == "saved", lines
    py = json.loads(lines[-2])
    twin = next(c for c in py["cards"].values() if c["name"] == "twin")
    assert "▸ 2 layers" in twin["texts"], twin["texts"]
    _assert_same_as_canvas(canvas, py)
    nb.shot("a nested model, closed", locator=canvas.root)
    nb.assert_no_errors()
