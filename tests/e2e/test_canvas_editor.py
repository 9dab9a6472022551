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
        nearest = min(_dots(canvas, uid),
                      key=lambda p: (p[0] - end["x"]) ** 2 + (p[1] - end["y"]) ** 2)
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
        " const z = v.cy.zoom();"
        " return {x: (arg.x - r.left - p.x) / z, y: (arg.y - r.top - p.y) / z}; })()",
        mid)
    size = canvas.eval("v.cardBoxes()[arg]", canvas.card("dropout")["uid"])
    corner = {"x": model_mid["x"] - size["width"] / 2, "y": model_mid["y"] - size["height"] / 2}
    i = nb.add_cell(  # a card's position is its top-left corner
        f"m.position = {{'x': {corner['x']:.1f}, 'y': {corner['y']:.1f}}}\n"
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
    near = [p for p in pixels if sum(abs(a - b) for a, b in zip(p, wire_rgb, strict=True)) < 60]
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


NET = (
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[13], position={'x': 0, 'y': 0})\n"
    "d = ed.add('Dense', name='hidden', units=8, position={'x': 330, 'y': 0})\n"
    "ed.connect(x, d)\n"
    "ed"
)


def _focus_canvas(canvas: Canvas):
    """Click an empty spot of the canvas, as a user does before typing a shortcut."""
    box = canvas.canvas_box()
    canvas.page.mouse.click(box["x"] + box["width"] - 30, box["y"] + box["height"] - 30)
    canvas.wait("document.activeElement === v.el")


def _saved_on_disk(nb, lab_server, timeout=15.0) -> dict:
    import json
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = json.loads((lab_server.root / nb.path).read_text())
        if data["cells"][0].get("outputs"):
            return data
        time.sleep(0.25)
    raise AssertionError("Ctrl+S on the canvas did not save the notebook")


def _keys_reach_jupyter(nb, canvas, lab_server):
    canvas.wait_cards(2)
    _focus_canvas(canvas)
    # the canvas keeps its own keys: 'd d' (delete cell in command mode) and 'a' do nothing here
    cells = nb.page.locator(".jp-Notebook .jp-Cell").count()
    for k in ("d", "d", "a", "b"):
        nb.page.keyboard.press(k)
    nb.page.wait_for_timeout(300)
    assert nb.page.locator(".jp-Notebook .jp-Cell").count() == cells
    # Ctrl+S with the canvas focused saves the notebook (the file on disk gets the outputs)
    nb.page.keyboard.press("Control+s")
    saved = _saved_on_disk(nb, lab_server)
    assert any("widget-view" in json_text for json_text in map(str, saved["cells"][0]["outputs"]))
    # Shift+Enter with the canvas focused runs the cell (its execution count goes up)
    _focus_canvas(canvas)
    before = nb.page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputPrompt").inner_text()
    nb.page.keyboard.press("Shift+Enter")
    nb.page.wait_for_function(
        "(old) => { const p = document.querySelector('.jp-Notebook .jp-Cell .jp-InputPrompt');"
        " return p && p.textContent !== old && /\\d/.test(p.textContent); }",
        arg=before, timeout=30000)


def test_keys_belong_to_jupyter_when_they_are_jupyters_lab(open_notebook, lab_server):
    nb, canvas = _open(open_notebook, "keys_lab", [NET])
    _keys_reach_jupyter(nb, canvas, lab_server)
    nb.shot("after Shift+Enter on the canvas")


def test_keys_belong_to_jupyter_when_they_are_jupyters_notebook7(open_notebook, lab_server):
    nb = open_notebook("keys_nb7", [NET], ui="notebook")
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait("v.catalogSize > 50")
    _keys_reach_jupyter(nb, canvas, lab_server)
    nb.shot("notebook 7 after Shift+Enter on the canvas")


def test_context_menu_quick_add_find_copy_paste_and_wire_to_new_card(open_notebook):
    nb, canvas = _open(open_notebook, "quick_add", [NET])
    canvas.wait_cards(2)
    box = canvas.canvas_box()
    spot = (box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.8)

    # right-click on the canvas opens our menu, not the notebook's
    nb.page.mouse.click(*spot, button="right")
    menu = canvas.root.locator('[data-testid="nncards-context-menu"]')
    menu.wait_for(state="visible")
    assert "Add a card here" in menu.inner_text()
    assert nb.page.locator(".lm-Menu").count() == 0
    nb.shot("our context menu")
    nb.page.keyboard.press("Escape")
    nb.page.mouse.click(*spot)

    # Tab with the pointer over the canvas: a card search there; Enter adds the first match
    canvas.wait("document.activeElement === v.el")
    nb.page.mouse.move(*spot)
    nb.page.keyboard.press("Tab")
    picker = canvas.root.locator('[data-testid="nncards-picker-input"]')
    picker.wait_for(state="visible")
    picker.type("dropout")
    nb.shot("quick add search")
    picker.press("Enter")
    canvas.wait_cards(3)
    drop = canvas.card("dropout")
    assert abs(drop["center"]["x"] - spot[0]) < 200, (drop, spot)
    assert abs(drop["center"]["y"] - spot[1]) < 200, (drop, spot)

    # Ctrl+F finds a card by name and centres it
    canvas.eval("v.cy.pan({x: -3000, y: -3000})")
    _focus_canvas(canvas)
    nb.page.keyboard.press("Control+f")
    picker.wait_for(state="visible")
    picker.type("hidd")
    picker.press("Enter")
    hidden = canvas.card("hidden")
    canvas.wait("v.cy.getElementById(arg).selected()", hidden["uid"])
    hidden = canvas.card("hidden")
    assert abs(hidden["center"]["x"] - (box["x"] + box["width"] / 2)) < 5, (hidden, box)
    assert abs(hidden["center"]["y"] - (box["y"] + box["height"] / 2)) < 5, (hidden, box)
    nb.shot("found hidden")

    # copy the two wired cards and paste them: two new cards and the wire between them
    canvas.root.locator('[data-testid="nncards-fit"]').click()
    nb.page.wait_for_timeout(200)
    canvas.click_card(canvas.card("features")["uid"])
    canvas.click_card(hidden["uid"], shift=True)
    canvas.press("Control+c")
    canvas.press("Control+v")
    canvas.wait_cards(5)
    canvas.wait_wires(2)
    names = sorted(c["name"] for c in canvas.cards())
    assert names == ["dropout", "features", "features_1", "hidden", "hidden_1"], names
    i = nb.add_cell("print(sorted((ed.card(w.to_data().source).name,"
                    " ed.card(w.to_data().target).name) for w in ed.wires))")
    assert "('features_1', 'hidden_1')" in nb.output_text(i), nb.output_text(i)
    nb.shot("pasted two cards with their wire")
    # one undo takes the whole paste back
    canvas.press("Control+z")
    canvas.wait_cards(3)
    canvas.wait_wires(1)

    # a wire dropped on empty canvas offers the cards that take it; the chosen one is connected
    hidden = canvas.card("hidden")
    start = canvas.port(hidden["uid"], "output", "output")
    end = (start[0] + 220, start[1] + 160)
    canvas.drag(start, end)
    picker.wait_for(state="visible")
    items = canvas.root.locator('[data-testid="nncards-picker-item"]')
    labels = items.all_inner_texts()
    assert labels and not any(t.startswith("Input\n") for t in labels), labels  # no Tensor input
    picker.type("output")
    nb.page.wait_for_timeout(100)
    assert items.first.inner_text().startswith("Output"), items.all_inner_texts()
    nb.shot("cards offered for a dropped wire")
    picker.press("Enter")
    canvas.wait_cards(4)
    canvas.wait_wires(2)
    i = nb.add_cell("print([(ed.card(w.to_data().source).name,"
                    " ed.card(w.to_data().target).card_id) for w in ed.wires])")
    assert "('hidden', 'output')" in nb.output_text(i), nb.output_text(i)
    nb.assert_no_errors()


def test_compact_cards_fold_helper_ports_and_unfinished_cards_are_not_red(open_notebook):
    nb, canvas = _open(open_notebook, "compact_cards", [
        "from nncards_widget import NetworkEditor\n"
        "ed = NetworkEditor()\n"
        "x = ed.add('input', name='features', shape=[13], position={'x': 0, 'y': 0})\n"
        "d = ed.add('Dense', name='hidden', units=8, position={'x': 330, 'y': 0})\n"
        "lone = ed.add('Dropout', name='lone', rate=0.2, position={'x': 330, 'y': 420})\n"
        "ed.connect(x, d)\n"
        "ed",
    ])
    canvas.wait_cards(3)
    hidden = canvas.card("hidden")
    face = canvas.face(hidden["uid"])
    # the seven initializer / regularizer / constraint ports and the four settings left at
    # their defaults that are not primary (Lora rank, Lora alpha, Trainable, Dtype) are folded
    # into one row; the primary ones show, default or not
    assert "Kernel initializer" not in face and "+ 7 ports · 4 settings" in face, face
    assert "Lora rank" not in face and "Trainable" not in face, face
    assert all(label in face for label in ("Units", "Activation", "Use bias", ">Input<")), face
    assert hidden["height"] < 230 * canvas.eval("v.cy.zoom()"), hidden  # 14 rows before: 380
    # a card that is only unconnected says so quietly: no red frame, no error colour
    lone = canvas.card("lone")
    lone_face = canvas.face(lone["uid"])
    assert "not connected yet" in lone_face and "#d32f2f" not in lone_face, lone_face
    assert not canvas.eval("v.cy.getElementById(arg).hasClass('nnc-error')", lone["uid"])
    nb.shot("compact cards, an unconnected card")

    # clicking the "+" row shows the helper ports; the card grows by their rows
    zoom = canvas.eval("v.cy.zoom()")
    top = hidden["center"]["y"] - hidden["height"] / 2
    more_y = canvas.eval(
        "v.cy && (() => { const e = v.cardsInfo().find(c => c.uid === arg); return e; })()",
        hidden["uid"])
    row = re.search(r'<text x="[\d.]+" y="([\d.]+)"[^>]*data-row="more"', face)
    assert row, face
    nb.page.mouse.click(hidden["center"]["x"] - hidden["width"] / 2 + 40,
                        top + (float(row.group(1)) - 3) * zoom)
    canvas.wait("v.faceSvg(arg).includes('Kernel initializer')", hidden["uid"])
    assert more_y is not None
    nb.shot("helper ports shown")
    # the wire into the Tensor input still ends on its dot after the card changed
    nb.page.wait_for_timeout(300)
    w = _wire_geometry(canvas)
    tx, ty = canvas.port(hidden["uid"], "input", "input")
    assert abs(w["tgt"]["x"] - tx) < 2 and abs(w["tgt"]["y"] - ty) < 2, (w, tx, ty)

    # folded again, a wired helper port stays on the card
    i = nb.add_cell(
        "init = ed.add('initializer_GlorotUniform', position={'x': 0, 'y': 300})\n"
        "ed.connect(init, d['Kernel initializer'])\n"
        "print(len(ed.wires))")
    assert nb.output_text(i).strip() == "2"
    canvas.wait_wires(2)
    face = canvas.face(hidden["uid"])
    row = re.search(r'<text x="[\d.]+" y="([\d.]+)"[^>]*data-row="more"', face)
    hidden = canvas.card("hidden")
    top = hidden["center"]["y"] - hidden["height"] / 2
    zoom = canvas.eval("v.cy.zoom()")
    nb.page.mouse.click(hidden["center"]["x"] - hidden["width"] / 2 + 40,
                        top + (float(row.group(1)) - 3) * zoom)
    canvas.wait("!v.faceSvg(arg).includes('Bias initializer')", hidden["uid"])
    face = canvas.face(hidden["uid"])
    assert "Kernel initializer" in face and "+ 6 ports · 4 settings" in face, face
    nb.shot("a wired helper port stays")

    # a setting edited away from its default shows on the card, taller by its row
    before = canvas.card("hidden")["height"]
    nb.add_cell("d.trainable = False")
    canvas.wait("v.faceSvg(arg).includes('Trainable')", hidden["uid"])
    face = canvas.face(hidden["uid"])
    assert "+ 6 ports · 3 settings" in face, face
    assert abs(canvas.card("hidden")["height"] - before - 20 * zoom) < 1
    nb.shot("a setting away from its default shows")
    nb.assert_no_errors()


def _luminance(rgb) -> float:
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def test_dark_theme_follows_jupyterlab_and_stays_readable(open_notebook):
    nb, canvas = _open(open_notebook, "dark_theme", [NET])
    canvas.wait_cards(2)
    hidden = canvas.card("hidden")
    light_face = canvas.face(hidden["uid"])
    nb.page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme',"
                     " {theme: 'JupyterLab Dark'})")
    nb.page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'", timeout=30000)
    canvas.wait("v.faceSvg(arg) !== null && !v.faceSvg(arg).includes('fill=\"#ffffff\"')",
                hidden["uid"])
    canvas.wait("v.faceReady(arg)", hidden["uid"])
    nb.page.wait_for_timeout(500)
    nb.shot("dark theme")
    dark_face = canvas.face(hidden["uid"])
    assert dark_face != light_face
    # the canvas and the card body are dark; the card's title is light on it
    box = canvas.canvas_box()
    bg = _pixel(nb, box["x"] + 6, box["y"] + box["height"] - 6, radius=1)
    assert max(_luminance(p) for p in bg) < 80, bg
    body = _pixel(nb, hidden["center"]["x"] - hidden["width"] / 2 + 6, hidden["center"]["y"],
                  radius=1)
    assert max(_luminance(p) for p in body) < 90, body
    title = re.search(r'font-weight="700" fill="(#[0-9a-f]{6})"', dark_face).group(1)
    assert _luminance(_hex(title)) > 200, title
    # and back to light
    nb.page.evaluate("() => window.jupyterapp.commands.execute('apputils:change-theme',"
                     " {theme: 'JupyterLab Light'})")
    canvas.wait("v.faceSvg(arg) === arg2".replace("arg2", "arg[1]").replace("(arg)", "(arg[0])"),
                [hidden["uid"], light_face])
    nb.shot("light again")


def test_double_click_a_value_to_edit_it_on_the_card(open_notebook):
    nb, canvas = _open(open_notebook, "edit_on_card", [NET])
    canvas.wait_cards(2)
    hidden = canvas.card("hidden")
    face = canvas.face(hidden["uid"])
    zoom = canvas.eval("v.cy.zoom()")
    # the Units row of the face: double-click its value
    units_y = float(re.search(r'<text x="[\d.]+" y="([\d.]+)"[^>]*>Units</text>', face).group(1))
    left = hidden["center"]["x"] - hidden["width"] / 2
    top = hidden["center"]["y"] - hidden["height"] / 2
    nb.page.mouse.dblclick(left + hidden["width"] - 20, top + (units_y - 3) * zoom)
    editor = canvas.root.locator('[data-testid="nncards-card-editor"]')
    box = editor.locator('[data-testid="nncards-param-units"]')
    box.wait_for(state="visible")
    nb.shot("editing units on the card")
    # a bad value gets the inspector's message, in place, and changes nothing
    box.fill("0")
    box.press("Enter")
    err = editor.locator('[data-testid="nncards-param-error-units"]')
    nb.page.wait_for_function("(el) => el.textContent.length > 0", arg=err.element_handle())
    assert "1" in err.inner_text(), err.inner_text()
    assert canvas.model_value(hidden["uid"], "units") == 8
    nb.shot("refused in place")
    box.fill("32")
    box.press("Enter")
    canvas.wait_value(hidden["uid"], "units", 32)
    editor.wait_for(state="hidden")
    canvas.wait("v.faceSvg(arg).includes('>32<')", hidden["uid"])
    i = nb.add_cell("print(d.units)")
    assert nb.output_text(i).strip() == "32"
    nb.shot("units 32 on the card")
    nb.assert_no_errors()


def test_a_folded_setting_is_edited_on_the_card_and_then_stays_shown(open_notebook):
    nb, canvas = _open(open_notebook, "edit_folded", [NET])
    canvas.wait_cards(2)
    hidden = canvas.card("hidden")
    assert "Lora rank" not in canvas.face(hidden["uid"])
    canvas.show_more_ports(hidden["uid"])  # the "+" row: every setting and port shows
    # the card grew downward: its lower rows are brought up, clear of the minimap
    canvas.eval("(v.cy.panBy({x: -150, y: -200}), true)")
    hidden = canvas.card("hidden")
    face = canvas.face(hidden["uid"])
    zoom = canvas.eval("v.cy.zoom()")
    row_y = float(re.search(r'<text x="[\d.]+" y="([\d.]+)"[^>]*>Lora rank</text>', face).group(1))
    left = hidden["center"]["x"] - hidden["width"] / 2
    top = hidden["center"]["y"] - hidden["height"] / 2
    nb.page.mouse.dblclick(left + hidden["width"] - 20, top + (row_y - 3) * zoom)
    box = canvas.root.locator('[data-testid="nncards-card-editor"] [data-testid="nncards-param-lora_rank"]')
    box.wait_for(state="visible")
    box.fill("4")
    box.press("Enter")
    canvas.wait_value(hidden["uid"], "lora_rank", 4)
    nb.shot("lora rank set on the unfolded card")
    # folded again: the edited setting keeps its row, the others fold
    face = canvas.face(hidden["uid"])
    row = re.search(r'<text x="[\d.]+" y="([\d.]+)"[^>]*data-row="more"', face)
    hidden = canvas.card("hidden")
    top = hidden["center"]["y"] - hidden["height"] / 2
    nb.page.mouse.click(left + 40, top + (float(row.group(1)) - 3) * zoom)
    canvas.wait("v.faceSvg(arg).includes('+ 7 ports · 3 settings')", hidden["uid"])
    face = canvas.face(hidden["uid"])
    assert ">Lora rank<" in face and ">4<" in face and "Lora alpha" not in face, face
    i = nb.add_cell("print(d.lora_rank)")
    assert nb.output_text(i).strip() == "4"
    nb.shot("folded, the edited setting stays")
    nb.assert_no_errors()


def test_a_card_that_grows_keeps_its_header_where_it_is(open_notebook):
    """A card's position is its top-left corner: unfolding its "+" row or a value that shows
    one more row makes it grow downward; its header and left edge stay under the pointer."""
    nb, canvas = _open(open_notebook, "grows_down", [NET])
    canvas.wait_cards(2)

    def box(name):
        c = canvas.card(name)
        return {"left": c["center"]["x"] - c["width"] / 2, "top": c["center"]["y"] - c["height"] / 2,
                "height": c["height"]}

    def kernel_position():
        i = nb.add_cell("print(d.position['x'], d.position['y'], ed.undo_state['undo'])")
        x, y, *label = nb.output_text(i).split()
        return float(x), float(y), " ".join(label)

    uid = canvas.card("hidden")["uid"]
    # the kernel's position is the card's top-left corner, as the view draws it
    corner = canvas.eval("(b => [b.x, b.y])(v.cardBoxes()[arg])", uid)
    x0, y0, label0 = kernel_position()
    assert abs(corner[0] - x0) < 0.01 and abs(corner[1] - y0) < 0.01, (corner, x0, y0)
    canvas.click_background()  # a click: the view no longer frames the network by itself
    before = box("hidden")
    # a setting set away from its default in Python: its row shows
    nb.add_cell("d.lora_rank = 4")
    canvas.wait("v.faceSvg(arg).includes('>Lora rank<')", uid)
    nb.page.wait_for_timeout(300)
    grown = box("hidden")
    assert grown["height"] > before["height"] + 10, (before, grown)
    assert abs(grown["top"] - before["top"]) < 0.5 and abs(grown["left"] - before["left"]) < 0.5, \
        (before, grown)
    nb.shot("a value showed one more row, the header where it was")
    canvas.show_more_ports(uid)  # every setting and port shows: many rows more
    unfolded = box("hidden")
    assert unfolded["height"] > grown["height"] + 100, (grown, unfolded)
    assert abs(unfolded["top"] - before["top"]) < 0.5 and abs(unfolded["left"] - before["left"]) < 0.5, \
        (before, unfolded)
    nb.shot("unfolded, the header where it was")
    # the kernel's position did not move, and no move was recorded for undo
    x1, y1, label1 = kernel_position()
    assert (x1, y1) == (x0, y0) and "Move" not in label1, (x0, y0, x1, y1, label1)
    # the wire into the card still ends on its input dot
    w = _wire_geometry(canvas)
    tx, ty = canvas.port(uid, "input", "input")
    assert abs(w["tgt"]["x"] - tx) < 2 and abs(w["tgt"]["y"] - ty) < 2, (w, tx, ty)
    nb.assert_no_errors()


def test_cards_sharing_a_layer_are_marked(open_notebook):
    nb, canvas = _open(open_notebook, "shared_layers", [
        "from nncards_widget import NetworkEditor\n"
        "ed = NetworkEditor()\n"
        "a = ed.add('input', name='a', shape=[6])\n"
        "b = ed.add('input', name='b', shape=[6])\n"
        "enc = ed.add('Dense', name='enc', units=4)\n"
        "enc_b = ed.add('apply_layer', name='enc_b')\n"
        "ed.connect(a, enc)\n"
        "ed.connect(enc['Layer instance'], enc_b['Layer'])\n"
        "ed.connect(b, enc_b['Inputs'])\n"
        "diff = ed.add('Subtract', name='diff')\n"
        "ed.connect(enc, diff)\n"
        "ed.connect(enc_b, diff)\n"
        "other = ed.add('Dense', name='other', units=2)\n"
        "ed.connect(b, other)\n"
        "ed",
    ])
    canvas.wait_cards(6)
    uid = {c["name"]: c["uid"] for c in canvas.cards()}
    canvas.wait("v.faceSvg(arg).includes('data-badge')", uid["enc"])
    canvas.wait("v.faceSvg(arg).includes('data-badge')", uid["enc_b"])
    badge = re.compile(
        r'<rect x="[\d.]+" y="11" width="[\d.]+" height="16" rx="8" fill="(#[0-9a-f]{6})"/>')
    enc_face, enc_b_face = canvas.face(uid["enc"]), canvas.face(uid["enc_b"])
    assert "shared ×2" in enc_face and "shared ×2" in enc_b_face
    assert badge.search(enc_face).group(1) == badge.search(enc_b_face).group(1)
    assert "data-badge" not in canvas.face(uid["other"])
    canvas.root.locator('[data-testid="nncards-fit"]').click()
    nb.page.wait_for_timeout(300)
    canvas.click_card(uid["enc"])
    shared = canvas.root.locator('[data-testid="nncards-shared-with"]')
    shared.wait_for(state="visible")
    assert shared.inner_text().strip() == "Shares weights with 'enc_b'"
    nb.shot("shared layer cards marked")
    nb.assert_no_errors()


def test_export_the_network_as_svg_and_png(open_notebook, tmp_path):
    nb, canvas = _open(open_notebook, "export_picture", [THREE_CARDS])
    canvas.wait_cards(2)
    canvas.wait_wires(1)
    nb.page.wait_for_timeout(300)
    menu_items = canvas.root.locator(
        '[data-testid="nncards-context-menu"] [data-testid="nncards-menu-item"]')
    canvas.root.locator('[data-testid="nncards-export"]').click()
    with nb.page.expect_download() as dl:
        menu_items.filter(has_text="SVG").click()
    path = tmp_path / "network.svg"
    dl.value.save_as(path)
    svg = path.read_text()
    assert dl.value.suggested_filename == "network.svg"
    assert svg.startswith("<svg") and ">features<" in svg and ">dense<" in svg, svg[:500]
    assert svg.count('class="wire"') == 1 and svg.count('class="card"') == 2
    # the wire's path starts on the Input card's output dot (in the picture's coordinates)
    start = re.search(r'class="wire" d="M([-\d.]+),([-\d.]+)', svg)
    dot = canvas.eval("v.cy.edges()[0].sourceEndpoint()")
    assert abs(float(start.group(1)) - dot["x"]) < 0.2
    assert abs(float(start.group(2)) - dot["y"]) < 0.2
    canvas.root.locator('[data-testid="nncards-export"]').click()
    with nb.page.expect_download() as dl:
        menu_items.filter(has_text="PNG").click()
    png = tmp_path / "network.png"
    dl.value.save_as(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000, len(data)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    m = re.search(r'width="(\d+)" height="(\d+)"', svg)
    assert (width, height) == (2 * int(m.group(1)), 2 * int(m.group(2))), (width, height)
    nb.assert_no_errors()


THIRTY = (
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[32])\n"
    "prev = x\n"
    "for i in range(13):\n"
    "    d = ed.add('Dense', name=f'dense_{i}', units=16 + i, activation='relu')\n"
    "    ed.connect(prev, d)\n"
    "    n = ed.add('Dropout', name=f'drop_{i}', rate=0.1)\n"
    "    ed.connect(d, n)\n"
    "    prev = n\n"
    "side = ed.add('Dense', name='side', units=8)\n"
    "ed.connect(x, side)\n"
    "cat = ed.add('Concatenate', name='merge')\n"
    "ed.connect(prev, cat)\n"
    "ed.connect(side, cat)\n"
    "ed.connect(cat, ed.add('output', name='out'))\n"
    "print(len(ed.cards))\n"
    "ed"
)


def test_a_thirty_card_network_fits_and_lays_out(open_notebook):
    nb, canvas = _open(open_notebook, "thirty_cards", [THIRTY], viewport=(1500, 1100))
    canvas.wait_cards(30)
    canvas.root.locator('[data-testid="nncards-layout"]').click()
    nb.page.wait_for_timeout(800)
    nb.shot("thirty cards after layout and fit")
    cards = canvas.cards()
    # after the layout no card overlaps another
    for i, a in enumerate(cards):
        for b in cards[i + 1:]:
            ox = abs(a["center"]["x"] - b["center"]["x"]) * 2 < a["width"] + b["width"]
            oy = abs(a["center"]["y"] - b["center"]["y"]) * 2 < a["height"] + b["height"]
            assert not (ox and oy), (a["name"], b["name"])
    # zoomed in on one card (find), its text is readable
    _focus_canvas(canvas)
    nb.page.keyboard.press("Control+f")
    picker = canvas.root.locator('[data-testid="nncards-picker-input"]')
    picker.type("dense_6")
    picker.press("Enter")
    nb.page.wait_for_timeout(400)
    assert canvas.eval("v.cy.zoom()") >= 0.85
    nb.shot("thirty cards, found dense_6")
    nb.assert_no_errors()
