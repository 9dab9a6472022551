"""The canvas as a node editor (issue 9), checked in a real JupyterLab with headless chromium:
wires measured against the port dots drawn on the card faces, where dropped wires land.

Screenshots of every step land in tests/artifacts/<test name>/.
"""

from __future__ import annotations

import base64
import re

from .canvas_helpers import Canvas

THREE_CARDS = (
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[13], position={'x': 0, 'y': 0})\n"
    "d = ed.add('Dense', units=3, position={'x': 640, 'y': 260})\n"
    "ed.connect(x, d)\n"
    "ed"
)


def _open(open_notebook, name, cells, viewport=(1500, 1000)):
    nb = open_notebook(name, cells, viewport=viewport)
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait("v.catalogSize > 50")  # the card catalogue arrived
    return nb, canvas


def _dots(canvas: Canvas, uid: str) -> list[tuple[float, float]]:
    """Page coordinates of the port dots drawn in a card's face (its SVG circles)."""
    svg = canvas.face(uid)
    card = next(c for c in canvas.cards() if c["uid"] == uid)
    zoom = canvas.eval("v.cy.zoom()")
    left = card["center"]["x"] - card["width"] / 2
    top = card["center"]["y"] - card["height"] / 2
    dots = []
    for cx, cy, r in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg):
        if float(r) <= 6:  # port dots (the error badge is larger)
            dots.append((left + float(cx) * zoom, top + float(cy) * zoom))
    assert dots, f"no port dots in the face of {uid}: {svg[:3000]}"
    return dots


def _wire_geometry(canvas: Canvas) -> dict:
    """The drawn wire: its end points and control points, in page coordinates."""
    return canvas.eval(
        "(() => { const e = v.cy.edges()[0]; const r = v.cy.container().getBoundingClientRect();"
        " const pg = p => ({x: p.x + r.left, y: p.y + r.top});"
        " return {src: pg(e.renderedSourceEndpoint()), tgt: pg(e.renderedTargetEndpoint()),"
        " ctrl: (e.renderedControlPoints() || []).map(pg), color: e.data('color'),"
        " curve: e.style('curve-style'), zWire: Number(e.style('z-index')),"
        " zCard: Number(v.cy.nodes()[0].style('z-index'))}; })()")


def _pixel(nb, x: float, y: float, radius: int = 3) -> list[list[int]]:
    """RGB colours of the screen pixels around a page point (from a real screenshot)."""
    png = nb.page.screenshot(clip={"x": x - radius, "y": y - radius,
                                   "width": 2 * radius + 1, "height": 2 * radius + 1})
    uri = "data:image/png;base64," + base64.b64encode(png).decode()
    return nb.page.evaluate(
        """async (uri) => { const img = new Image(); img.src = uri; await img.decode();
        const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data; const out = [];
        for (let i = 0; i < d.length; i += 4) out.push([d[i], d[i + 1], d[i + 2]]);
        return out; }""", uri)


def _hex(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i:i + 2], 16) for i in (0, 2, 4))


def test_wires_end_on_port_dots_curve_sideways_and_run_above_cards(open_notebook):
    nb, canvas = _open(open_notebook, "wires_on_dots", [THREE_CARDS])
    canvas.wait_cards(2)
    canvas.wait_wires(1)
    x = canvas.card("features")["uid"]
    d = canvas.card("dense")["uid"]
    nb.page.wait_for_timeout(300)
    w = _wire_geometry(canvas)
    assert w["curve"] == "unbundled-bezier", w
    # each end sits on a port dot drawn in the card's face (within 2 px on screen)
    for end, uid in ((w["src"], x), (w["tgt"], d)):
        nearest = min(_dots(canvas, uid), key=lambda p: (p[0] - end["x"]) ** 2 + (p[1] - end["y"]) ** 2)
        dist = ((nearest[0] - end["x"]) ** 2 + (nearest[1] - end["y"]) ** 2) ** 0.5
        assert dist < 2, (uid, end, nearest)
    # and on the right ports: the Input's data output, the Dense card's Tensor input
    sx, sy = canvas.port(x, "output", "data")
    tx, ty = canvas.port(d, "input", "input")
    assert abs(w["src"]["x"] - sx) < 2 and abs(w["src"]["y"] - sy) < 2, (w, sx, sy)
    assert abs(w["tgt"]["x"] - tx) < 2 and abs(w["tgt"]["y"] - ty) < 2, (w, tx, ty)
    # it leaves to the right and enters from the left: the first handle is level with the
    # source dot and right of it, the last one level with the target dot and left of it
    c1, c2 = w["ctrl"][0], w["ctrl"][-1]
    assert abs(c1["y"] - sy) < 1.5 and c1["x"] > sx + 10, (c1, sx, sy)
    assert abs(c2["y"] - ty) < 1.5 and c2["x"] < tx - 10, (c2, tx, ty)
    assert w["zWire"] > w["zCard"]
    nb.shot("curved wire between the port dots")

    # a card put under the wire's middle: the wire is drawn over its body
    nb.add_cell(
        "import time\n"
        "m = ed.add('Dropout', rate=0.5, position={'x': 0, 'y': 0})\n"
        "time.sleep(0.5)")
    canvas.wait_cards(3)
    mid = {"x": (sx + tx) / 2, "y": (sy + ty) / 2}
    model_mid = canvas.eval(
        "(() => { const r = v.cy.container().getBoundingClientRect(); const p = v.cy.pan();"
        " const z = v.cy.zoom(); return {x: (arg.x - r.left - p.x) / z, y: (arg.y - r.top - p.y) / z}; })()",
        mid)
    i = nb.add_cell(
        f"m.position = {{'x': {model_mid['x']:.1f}, 'y': {model_mid['y']:.1f}}}\n"
        "print('moved')")
    assert "moved" in nb.output_text(i)
    canvas.wait(
        "(() => { const n = v.cy.getElementById(arg[0]);"
        " return n.length && Math.abs(n.position().x - arg[1].x) < 1; })()",
        [canvas.card("dropout")["uid"], model_mid])
    nb.page.wait_for_timeout(400)
    nb.shot("a card under the wire")
    mid_card = canvas.card("dropout")
    assert abs(mid_card["center"]["x"] - mid["x"]) < 3, (mid_card, mid)
    wire_rgb = _hex(w["color"])
    pixels = _pixel(nb, mid["x"], mid["y"])
    near = [p for p in pixels if sum(abs(a - b) for a, b in zip(p, wire_rgb)) < 60]
    assert near, f"the wire colour {w['color']} is not drawn over the card at {mid}: {pixels[:9]}"
    nb.assert_no_errors()


def test_wire_dropped_near_a_row_of_another_type_goes_to_the_tensor_input(open_notebook):
    nb, canvas = _open(open_notebook, "wire_drop_nearest", [
        "from nncards_widget import NetworkEditor\n"
        "ed = NetworkEditor()\n"
        "x = ed.add('input', name='features', shape=[13], position={'x': 0, 'y': 0})\n"
        "d = ed.add('Dense', units=3, position={'x': 420, 'y': 40})\n"
        "ed",
    ])
    canvas.wait_cards(2)
    x = canvas.card("features")["uid"]
    d = canvas.card("dense")
    tx, ty = canvas.port(d["uid"], "input", "input")
    zoom = canvas.eval("v.cy.zoom()")
    # released in the middle of the card, one row above the Tensor input's row
    canvas.drag(canvas.port(x, "output", "data"), (d["center"]["x"], ty - 20 * zoom))
    canvas.wait_wires(1)
    wire = canvas.wires()[0]
    assert (wire["source_port"], wire["target_port"]) == ("data", "input"), wire
    i = nb.add_cell("print([(w.source_port, w.target_port) for w in ed.wires])")
    assert nb.output_text(i).strip() == "[('data', 'input')]"
    nb.shot("wire dropped near the input row")
