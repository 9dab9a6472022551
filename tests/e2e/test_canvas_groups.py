"""Nested models on the canvas as collapsible groups (js/src/groups.ts): a Keras model with an
encoder sub-model, imported with ``NetworkEditor.from_model``, shows the encoder as one card with
a toggle; expanded, its inner cards and wires are drawn in a frame with their shapes, the other
cards moved aside in the view only; the state is kept by the kernel across a page reload."""

from __future__ import annotations

import json
import re

from .canvas_helpers import Canvas
from .test_canvas_editor import _luminance, _pixel

MODEL = (
    "import keras\n"
    "from nncards_widget import NetworkEditor\n"
    "encoder = keras.Sequential([keras.Input((8,), name='pixels'),\n"
    "                            keras.layers.Dense(16, activation='relu', name='enc_hidden'),\n"
    "                            keras.layers.Dense(4, name='code')], name='encoder')\n"
    "x = keras.Input((8,), name='x')\n"
    "skip = keras.layers.Dense(4, name='skip')(x)\n"
    "joined = keras.layers.Concatenate(name='join')([encoder(x), skip])\n"
    "out = keras.layers.Dense(2, name='head')(joined)\n"
    "ed = NetworkEditor.from_model(keras.Model(x, out))\n"
    "positions = {c.name: dict(c.position) for c in ed.cards}\n"
    "uids = {c.name: c.uid for c in ed.cards}\n"
    "print(uids['encoder'])"
)

# Inner cards (not the frame's port anchors): name, page box, and the group they belong to.
INNER = """v.cy.nodes('.nnc-inner').filter(n => !n.hasClass('nnc-anchor')).map(n => {
  const b = n.renderedBoundingBox({});
  const r = v.cy.container().getBoundingClientRect();
  return { id: n.id(), group: n.data('group'), title: n.data('title'),
           box: { x1: r.left + b.x1, y1: r.top + b.y1, x2: r.left + b.x2, y2: r.top + b.y2 } };
})"""

INNER_WIRES = """(() => {
  const r = v.cy.container().getBoundingClientRect();
  const z = v.cy.zoom();
  const pan = v.cy.pan();
  const page = p => ({ x: r.left + pan.x + p.x * z, y: r.top + pan.y + p.y * z });
  return v.cy.edges('.nnc-inner').map(e => ({ source: e.source().id(), target: e.target().id(),
    shape: e.data('shape'), sep: page(e.sourceEndpoint()), tep: page(e.targetEndpoint()) }));
})()"""


def _box(card: dict) -> dict:
    c, w, h = card["center"], card["width"], card["height"]
    return {"x1": c["x"] - w / 2, "y1": c["y"] - h / 2, "x2": c["x"] + w / 2, "y2": c["y"] + h / 2}


def _inside(inner: dict, outer: dict, tol: float = 1.0) -> bool:
    return (inner["x1"] >= outer["x1"] - tol and inner["y1"] >= outer["y1"] - tol
            and inner["x2"] <= outer["x2"] + tol and inner["y2"] <= outer["y2"] + tol)


def _overlap(a: dict, b: dict) -> bool:
    return a["x1"] < b["x2"] and b["x1"] < a["x2"] and a["y1"] < b["y2"] and b["y1"] < a["y2"]


def _click_toggle(canvas: Canvas, uid: str, label: str):
    """Click the group toggle ("▸ 2 layers") drawn in the card's header."""
    face = canvas.face(uid)
    m = re.search(r'<g data-toggle="group"><rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
                  r'height="([\d.]+)"[^>]*/><text[^>]*>([^<]*)</text>', face)
    assert m, f"no group toggle on the face of card {uid}"
    assert m.group(5) == label, m.group(5)
    card = next(c for c in canvas.cards() if c["uid"] == uid)
    zoom = canvas.eval("v.cy.zoom()")
    x = card["center"]["x"] - card["width"] / 2 + (float(m.group(1)) + float(m.group(3)) / 2) * zoom
    y = card["center"]["y"] - card["height"] / 2 + (float(m.group(2)) + float(m.group(4)) / 2) * zoom
    canvas.page.mouse.click(x, y)


def _look_at(canvas: Canvas, uid: str):
    """Zoom to a readable size and centre the group (as a user would with the wheel)."""
    canvas.eval("(v.cy.zoom(0.9), v.cy.center(v.cy.getElementById(arg)), true)", uid)
    canvas.page.wait_for_timeout(400)


def _expanded_state(canvas: Canvas, uid: str) -> dict:
    """What a user sees of the expanded group: the frame, inner cards and wires, other cards."""
    canvas.wait("v.cy.nodes('.nnc-inner').length >= 2 && "
                "v.cy.getElementById(arg).width() > 500", uid)
    cards = canvas.cards()
    frame = next(_box(c) for c in cards if c["uid"] == uid)
    return {"frame": frame, "cards": cards, "inner": canvas.eval(INNER),
            "wires": canvas.eval(INNER_WIRES)}


def _overlapping(cards: list) -> set:
    """Pairs of cards (by uid) that overlap on the canvas."""
    return {frozenset((a["uid"], b["uid"])) for k, a in enumerate(cards) for b in cards[k + 1:]
            if _overlap(_box(a), _box(b))}


def _check_expanded(state: dict, uid: str, overlapped: set | None = None):
    """What an open group must look like; ``overlapped``: the pairs of cards that overlapped
    before it opened (opening must not make others overlap; None: not checked)."""
    frame, inner = state["frame"], state["inner"]
    names = sorted(i["title"].split("\n")[1] for i in inner)
    assert names == ["code", "enc_hidden"], names  # the inner layers, with their names
    assert all(i["group"] == uid for i in inner)
    for i in inner:
        assert _inside(i["box"], frame), (i, frame)
    assert not _overlap(inner[0]["box"], inner[1]["box"])
    # no other card under the frame, and the cards moved aside overlap no more than before
    others = [c for c in state["cards"] if c["uid"] != uid]
    for c in others:
        assert not _overlap(_box(c), frame), (c["name"], _box(c), frame)
    if overlapped is not None:
        assert _overlapping(others) <= overlapped
    # wires: frame input -> enc_hidden -> code -> frame output, with the inner shapes
    ids = {i["title"].split("\n")[1]: i["id"] for i in inner}
    by_target = {w["target"]: w for w in state["wires"]}
    assert by_target[ids["code"]]["source"] == ids["enc_hidden"]
    assert by_target[ids["code"]]["shape"] == "(None, 16)"
    assert by_target[ids["enc_hidden"]]["source"] == f"{uid}/input:in_0"
    assert by_target[ids["enc_hidden"]]["shape"] == "(None, 8)"  # the inner Input's shape
    assert any(w["source"] == ids["code"] and w["target"] == f"{uid}/output:output"
               for w in state["wires"])
    # the pass-through wires start and end on the frame's edges
    for w in state["wires"]:
        if w["source"].startswith(f"{uid}/input:"):
            assert abs(w["sep"]["x"] - frame["x1"]) < 20
        if w["target"].startswith(f"{uid}/output:"):
            assert abs(w["tep"]["x"] - frame["x2"]) < 20


def test_a_nested_model_expands_into_a_group_and_stays_so_after_a_reload(open_notebook):
    nb = open_notebook("canvas_groups", [MODEL, "ed"], viewport=(1500, 1000))
    nb.run_all()
    uid = nb.output_text(0).strip().splitlines()[-1]
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(6)  # x, skip, encoder, join, head, the output card
    canvas.wait("v.faceSvg(arg).includes('data-toggle')", uid)
    assert "▸ 2 layers" in canvas.face(uid)
    overlapped = _overlapping(canvas.cards())
    nb.shot("collapsed: the encoder is one card with a toggle")

    _click_toggle(canvas, uid, "▸ 2 layers")
    state = _expanded_state(canvas, uid)
    _check_expanded(state, uid, overlapped)
    assert "▾ 2 layers" in canvas.face(uid)
    # the kernel keeps the state, and nothing moved there
    nb.add_cell("print(ed['encoder'].expanded, positions == {c.name: dict(c.position) "
                "for c in ed.cards})")
    assert nb.output_text(2).strip() == "True True"
    canvas.eval("v.fitView(true)")
    nb.shot("expanded and fitted: the other cards moved aside")
    _look_at(canvas, uid)
    nb.shot("expanded: the encoder's layers in a frame", locator=canvas.root)

    nb.save()
    nb.reload()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(6)
    state = _expanded_state(canvas, uid)
    _check_expanded(state, uid, overlapped)
    _look_at(canvas, uid)
    nb.shot("after a reload the group is still expanded", locator=canvas.root)

    # dragging the frame by its header moves the card in the kernel by as much, inner cards along
    frame = _expanded_state(canvas, uid)["frame"]  # where it is after zooming in
    zoom = canvas.eval("v.cy.zoom()")
    start = (frame["x1"] + 60, frame["y1"] + 12)
    canvas.drag(start, (start[0] + 90, start[1] + 45))
    nb.add_cell("print(ed['encoder'].position['x'] - positions['encoder']['x'], "
                "ed['encoder'].position['y'] - positions['encoder']['y'])")
    dx, dy = (float(v) for v in nb.output_text(3).split())
    assert abs(dx - 90 / zoom) < 2 and abs(dy - 45 / zoom) < 2, (dx, dy, zoom)
    moved = _expanded_state(canvas, uid)
    _check_expanded(moved, uid, overlapped)
    # the Layout button lays the network out as the kernel has it; the group still has room
    canvas.root.locator('[data-testid="nncards-layout"]').click()
    canvas.wait("v.el.querySelector('[data-testid=\"nncards-status\"]').textContent"
                ".includes('Laid out')")
    canvas.page.wait_for_timeout(300)
    _check_expanded(_expanded_state(canvas, uid), uid, overlapped)
    canvas.eval("v.fitView(true)")
    nb.shot("moved and laid out with the group expanded", locator=canvas.root)

    _click_toggle(canvas, uid, "▾ 2 layers")
    canvas.wait("v.cy.nodes('.nnc-inner').length === 0 && v.cy.getElementById(arg).width() < 400",
                uid)
    canvas.wait("v.faceSvg(arg).includes('▸ 2 layers')", uid)
    # collapsed, every card is back where the kernel has it, and nothing else is drawn
    nb.add_cell("import json\nprint(ed['encoder'].expanded)\n"
                "print(json.dumps({c.uid: c.position for c in ed.cards}))")
    expanded, kernel = nb.output_text(4).strip().splitlines()
    assert expanded == "False"
    # (the view's own reading of each node's kernel position; no card is moved aside any more)
    assert canvas.eval("v.view.layer.shift.size") == 0
    drawn = dict(canvas.eval("v.cy.nodes().map(n => "
                             "[n.id(), v.view.layer.modelPosition(v.view.layer.byUid.get(n.id()))])"))
    assert drawn.keys() == json.loads(kernel).keys()
    for k, p in json.loads(kernel).items():
        assert abs(drawn[k]["x"] - p["x"]) < 0.01 and abs(drawn[k]["y"] - p["y"]) < 0.01, k
    assert canvas.eval("v.cy.edges().length") == 6
    canvas.eval("v.fitView(true)")
    nb.shot("collapsed again")
    nb.assert_no_errors()


def test_an_open_group_is_read_only_and_follows_the_dark_theme(open_notebook):
    nb = open_notebook("canvas_groups_readonly", [MODEL + "\ned['encoder'].expanded = True", "ed"],
                       viewport=(1500, 1000))
    nb.run_all()
    uid = nb.output_text(0).strip().splitlines()[-1]
    canvas = Canvas(nb)
    canvas.wait_ready()
    state = _expanded_state(canvas, uid)
    _check_expanded(state, uid)
    hidden = next(i for i in state["inner"] if i["title"].endswith("enc_hidden"))["box"]
    canvas.page.mouse.dblclick((hidden["x1"] + hidden["x2"]) / 2, hidden["y1"] + 60)
    canvas.wait("v.el.querySelector('[data-testid=\"nncards-status\"]').textContent"
                ".includes('read-only')")
    assert "ed['encoder'].inner" in canvas.status()
    nb.shot("an inner card is read-only: the status line says where to change it",
            locator=canvas.root)

    # the dark theme: the frame and the inner cards are drawn again, dark
    faces = canvas.eval("v.cy.nodes('.nnc-inner').map(n => n.data('face'))")
    nb.page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme',"
                     " {theme: 'JupyterLab Dark'})")
    try:
        nb.page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'",
                                  timeout=30000)
        canvas.wait("!v.faceSvg(arg).includes('fill=\"#fbfcfe\"')", uid)
        canvas.wait("v.cy.nodes('.nnc-inner').filter(n => arg.includes(n.data('face'))).length"
                    " === 0", faces)
        _look_at(canvas, uid)
        nb.page.wait_for_timeout(500)
        nb.shot("the group in the dark theme", locator=canvas.root)
        inner = next(i for i in canvas.eval(INNER) if i["title"].endswith("enc_hidden"))["box"]
        body = _pixel(nb, inner["x1"] + 8, (inner["y1"] + inner["y2"]) / 2, radius=1)
        assert max(_luminance(p) for p in body) < 90, body
        frame = _expanded_state(canvas, uid)["frame"]
        inside = _pixel(nb, frame["x1"] + 8, frame["y2"] - 40, radius=1)
        assert max(_luminance(p) for p in inside) < 90, inside
    finally:
        nb.page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme',"
                         " {theme: 'JupyterLab Light'})")
    nb.assert_no_errors()


TWO_GROUPS = (
    "import keras\n"
    "from nncards_widget import NetworkEditor\n"
    "a, b = keras.Input((4,), name='a'), keras.Input((4,), name='b')\n"
    "s = keras.layers.Concatenate(name='join')([a, b])\n"
    "twin = keras.Model([a, b], [keras.layers.Dense(3, name='first')(s),\n"
    "                            keras.layers.Dense(2, name='second')(s)], name='twin')\n"
    "head = keras.Sequential([keras.Input((3,), name='h_in'),\n"
    "                         keras.layers.Dense(5, activation='relu', name='h_dense')],\n"
    "                        name='head')\n"
    "x, y = keras.Input((4,), name='x'), keras.Input((4,), name='y')\n"
    "first, second = twin([x, y])\n"
    "out = keras.layers.Concatenate(name='out')([head(first), second])\n"
    "ed = NetworkEditor.from_model(keras.Model([x, y], out))\n"
    "print(ed['twin'].uid, ed['head'].uid)"
)


def test_two_open_groups_with_several_ports_leave_every_card_clear(open_notebook, tmp_path):
    nb = open_notebook("canvas_two_groups", [TWO_GROUPS, "ed"], viewport=(1500, 1000))
    nb.run_all()
    twin, head = nb.output_text(0).strip().splitlines()[-1].split()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(6)
    canvas.wait("arg.every(u => v.faceSvg(u).includes('▸'))", [twin, head])
    overlapped = _overlapping(canvas.cards())
    nb.add_cell("ed['twin'].expanded = ed['head'].expanded = True")
    canvas.wait("v.cy.nodes('.nnc-inner').filter(n => !n.hasClass('nnc-anchor')).length === 4 "
                "&& arg.every(u => v.faceSvg(u).includes('▾'))", [twin, head])
    canvas.page.wait_for_timeout(300)
    cards = canvas.cards()
    boxes = {c["uid"]: _box(c) for c in cards}
    inner = canvas.eval(INNER)
    names = {uid: sorted(i["title"].split("\n")[1] for i in inner if i["group"] == uid)
             for uid in (twin, head)}
    assert names == {twin: ["first", "join", "second"], head: ["h_dense"]}
    for i in inner:
        assert _inside(i["box"], boxes[i["group"]]), i
    for frame in (twin, head):
        for c in cards:
            if c["uid"] != frame:
                assert not _overlap(boxes[frame], boxes[c["uid"]]), (frame, c["name"])
    assert _overlapping(cards) <= overlapped
    # the twin's two inputs and two outputs are ports on its frame's edges, each wired inside
    wires = canvas.eval(INNER_WIRES)
    ends = {w["source"] for w in wires} | {w["target"] for w in wires}
    for port in ("input:in_0", "input:in_1", "output:output", "output:out_1"):
        assert f"{twin}/{port}" in ends, port
    canvas.eval("v.fitView(true)")
    nb.shot("two open groups, fitted")
    canvas.eval("(v.cy.zoom(0.8), v.cy.center(v.cy.getElementById(arg)), true)", twin)
    canvas.page.wait_for_timeout(400)
    nb.shot("the twin group: two inputs, two outputs", locator=canvas.root)

    # the context menu of a group collapses it (and expands it again)
    box = next(_box(c) for c in canvas.cards() if c["uid"] == head)
    canvas.page.mouse.click(box["x1"] + 30, box["y1"] + 12, button="right")
    menu = canvas.root.locator('[data-testid="nncards-context-menu"]')
    menu.wait_for(state="visible")
    menu.locator('[data-testid="nncards-menu-item"]').filter(has_text="Collapse the group").click()
    canvas.wait("v.faceSvg(arg).includes('▸ 1 layer') && "
                "v.cy.nodes('.nnc-inner').filter(n => n.data('group') === arg).empty()", head)
    box = next(_box(c) for c in canvas.cards() if c["uid"] == head)
    canvas.page.mouse.click(box["x1"] + 30, box["y1"] + 12, button="right")
    menu.wait_for(state="visible")
    menu.locator('[data-testid="nncards-menu-item"]').filter(has_text="Expand the group").click()
    canvas.wait("v.faceSvg(arg).includes('▾ 1 layer')", head)
    canvas.wait("v.cy.nodes('.nnc-inner').filter(n => !n.hasClass('nnc-anchor')).length === 4")

    # the picture export shows the open groups as drawn: frames, inner cards and wires
    canvas.root.locator('[data-testid="nncards-export"]').click()
    with nb.page.expect_download() as dl:
        canvas.root.locator('[data-testid="nncards-context-menu"] '
                            '[data-testid="nncards-menu-item"]').filter(has_text="SVG").click()
    path = tmp_path / "network.svg"
    dl.value.save_as(path)
    svg = path.read_text()
    assert svg.count('class="card"') == 6 + 4  # outer cards (frames included) + inner cards
    assert svg.count('class="wire"') == 6 + 6 + 2  # outer wires + inside twin + inside head
    assert ">h_dense<" in svg and ">second<" in svg and "▾ 3 layers" in svg

    # deleting an open group and undoing it: it comes back open
    canvas.click_card(head)
    canvas.press("Delete")
    canvas.wait("v.cy.getElementById(arg).empty() && "
                "v.cy.nodes('.nnc-inner').filter(n => n.data('group') === arg).empty()", head)
    canvas.press("Control+z")
    canvas.wait("v.cy.nodes('.nnc-inner').filter(n => n.data('group') === arg).length >= 1 "
                "&& v.faceSvg(arg).includes('▾')", head)
    nb.assert_no_errors()


def test_an_open_group_in_notebook7(open_notebook):
    nb = open_notebook("canvas_groups_nb7", [MODEL + "\ned['encoder'].expanded = True", "ed"],
                       ui="notebook", viewport=(1400, 900))
    nb.run_all()
    uid = nb.output_text(0).strip().splitlines()[-1]
    canvas = Canvas(nb)
    canvas.wait_ready()
    _check_expanded(_expanded_state(canvas, uid), uid)
    _look_at(canvas, uid)
    nb.shot("an open group in Notebook 7", locator=canvas.root)
    _click_toggle(canvas, uid, "▾ 2 layers")
    canvas.wait("v.faceSvg(arg).includes('▸ 2 layers') && v.cy.nodes('.nnc-inner').empty()", uid)
    nb.assert_no_errors()
