"""The card canvas driven only through its UI, in a real JupyterLab with headless chromium.

Screenshots of every step land in tests/artifacts/<test name>/.
"""

from __future__ import annotations

import re

from .canvas_helpers import Canvas

SETUP = "from nncards_widget import NetworkEditor\ned = NetworkEditor()\ned"


def _open_editor(open_notebook, name, cells=None, viewport=(1500, 1000)):
    nb = open_notebook(name, cells or [SETUP], viewport=viewport)
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    return nb, canvas


def _build_wine_classifier(nb, canvas):
    """Input(13) -> Dense(3, softmax) -> Output, with the palette, inspector and port drags only."""
    inp = canvas.add_by_click("inp", "input")
    canvas.set_text("shape", "13")
    canvas.wait_value(inp, "shape", [13])
    nb.shot("input card added, shape 13")

    dense = canvas.add_by_click("dense", "layer_Dense")
    canvas.set_text("units", "3")
    canvas.wait_value(dense, "units", 3)
    canvas.choose("activation", "softmax")
    canvas.wait_value(dense, "activation", "softmax")
    nb.shot("dense card, 3 units softmax")

    # the Output card is dragged from the palette to the right of the Dense card
    d = canvas.card("dense")
    drop = (d["center"]["x"] + d["width"] / 2 + 160, d["center"]["y"])
    box = canvas.canvas_box()
    drop = (min(drop[0], box["x"] + box["width"] - 90), drop[1])
    out = canvas.add_by_drag("output", "output", drop)
    nb.shot("output card dragged in")
    canvas.root.locator('[data-testid="nncards-fit"]').click()
    nb.page.wait_for_timeout(200)

    canvas.connect(inp, "data", dense, "input")
    canvas.wait_wires(1)
    canvas.connect(dense, "output", out, "data")
    canvas.wait_wires(2)
    nb.shot("wired")
    return inp, dense, out


def test_canvas_build_classifier_with_ui_only(open_notebook):
    nb, canvas = _open_editor(open_notebook, "canvas_build")
    nb.shot("empty editor")
    # the palette finds cards by search
    canvas.search("emb")
    items = canvas.root.locator('[data-testid="nncards-palette-item"]')
    assert items.first.get_attribute("data-card-id") == "layer_Embedding"
    nb.shot("palette search emb")

    inp, dense, out = _build_wine_classifier(nb, canvas)

    # the card faces show the parameter values
    face = canvas.face(dense)
    assert ">3<" in face and "softmax" in face

    # cards do not overlap
    cards = canvas.cards()
    for i, a in enumerate(cards):
        for b in cards[i + 1:]:
            overlap_x = abs(a["center"]["x"] - b["center"]["x"]) * 2 < a["width"] + b["width"]
            overlap_y = abs(a["center"]["y"] - b["center"]["y"]) * 2 < a["height"] + b["height"]
            assert not (overlap_x and overlap_y), (a, b)

    canvas.root.locator('[data-testid="nncards-layout"]').click()
    nb.page.wait_for_timeout(400)
    nb.shot("after layout")

    i = nb.add_cell(
        "m = ed.build()\n"
        "print('shapes', m.input_shape, m.output_shape, m.count_params())\n"
        "print('cards', [c.card_id for c in ed.cards], len(ed.wires))")
    text = nb.output_text(i)
    assert "shapes (None, 13) (None, 3) 42" in text, text
    assert "cards ['input', 'layer_Dense', 'output'] 2" in text, text
    # total params shown when the kernel computes it
    canvas.wait("v.model.get('total_params') === 42")
    assert "42" in canvas.root.locator('[data-testid="nncards-total-params"]').inner_text()
    nb.shot("built in python")
    nb.assert_no_errors()


def test_canvas_refused_wire_shows_reason(open_notebook):
    nb, canvas = _open_editor(open_notebook, "canvas_refuse")
    inp, dense, out = _build_wine_classifier(nb, canvas)
    # a Tensor output into an Initializer port (shown with the card's "+" row): the kernel
    # refuses, the view says why
    canvas.show_more_ports(dense)
    canvas.connect(inp, "data", dense, "kernel_initializer")
    canvas.wait("v.el.querySelector('[data-testid=nncards-toast]').classList.contains('nnc-show')")
    msg = canvas.toast()
    assert re.search(r"[Ii]nitializer", msg) and "dense" in msg, msg
    assert canvas.status() == msg
    assert len(canvas.wires()) == 2
    nb.shot("refused wire reason")
    # a second wire into an occupied input is refused too
    inp2 = canvas.add_by_click("input", "input")
    canvas.connect(inp2, "data", dense, "input")
    nb.page.wait_for_function(
        "(old) => document.querySelector('[data-testid=nncards-status]').textContent !== old", arg=msg)
    assert len(canvas.wires()) == 2
    nb.shot("occupied input refused")
    i = nb.add_cell("print(len(ed.wires))")
    assert nb.output_text(i).strip() == "2"


def test_canvas_wire_dropped_on_card_body_uses_default_port(open_notebook):
    nb, canvas = _open_editor(open_notebook, "canvas_body_drop", cells=[
        "from nncards_widget import NetworkEditor\n"
        "ed = NetworkEditor()\n"
        "x = ed.add('input', name='features', shape=[13])\n"
        "d = ed.add('Dense', units=3)\n"
        "ed",
    ])
    canvas.wait_cards(2)
    x = canvas.card("features")["uid"]
    d = canvas.card("dense")
    # released on the Dense card's title, not on a port: the kernel picks the Tensor input
    header = (d["center"]["x"], d["center"]["y"] - d["height"] / 2 + 12)
    canvas.drag(canvas.port(x, "output", "data"), header)
    canvas.wait_wires(1)
    wire = canvas.wires()[0]
    assert (wire["source_port"], wire["target_port"]) == ("data", "input"), wire
    i = nb.add_cell("print([(w.source_port, w.target_port) for w in ed.wires])")
    assert nb.output_text(i).strip() == "[('data', 'input')]"
    nb.shot("wire dropped on the card body")


def test_canvas_invalid_parameter_refused_in_place(open_notebook):
    nb, canvas = _open_editor(open_notebook, "canvas_param")
    dense = canvas.add_by_click("dense", "layer_Dense")
    canvas.set_text("units", "0")
    err = canvas.field_error("units")
    err.wait_for(state="visible")
    assert "at least 1" in err.inner_text()
    nb.shot("units 0 refused in place")
    canvas.set_text("units", "12")
    canvas.wait_value(dense, "units", 12)
    assert canvas.field_error("units").inner_text() == ""
    # an optional value can be cleared
    canvas.choose("activation", "relu")
    canvas.wait_value(dense, "activation", "relu")
    canvas.root.locator('[data-testid="nncards-param-clear-activation"]').click()
    canvas.wait_value(dense, "activation", None)
    # booleans
    canvas.field("use_bias").uncheck()
    canvas.wait_value(dense, "use_bias", False)
    i = nb.add_cell("c = ed.cards[0]; print(c.units, c.activation, c.use_bias)")
    assert nb.output_text(i).strip() == "12 None False"
    nb.shot("parameters edited")


def test_canvas_new_card_missing_value_is_a_hint_not_an_error(open_notebook):
    cells = ["from nncards_widget import NetworkEditor\ned = NetworkEditor()\n"
             "x = ed.add('input', shape=[4], position={'x': 0, 'y': 0})\n"
             "d = ed.add('Dropout', position={'x': 330, 'y': 0})\ned.connect(x, d)\ned"]
    nb, canvas = _open_editor(open_notebook, "canvas_missing", cells)
    canvas.wait_cards(2)
    drop = next(c for c in canvas.cards() if c["name"] != "input")
    canvas.click_card(drop["uid"])
    hint = canvas.root.locator('[data-testid="nncards-param-hint-rate"]')
    hint.wait_for(state="visible")
    assert hint.inner_text().startswith("Needs a value"), hint.inner_text()
    # neutral: not the danger red, and no red box or field error
    assert "211, 47, 47" not in hint.evaluate("e => getComputedStyle(e).color")
    assert canvas.root.locator('[data-testid="nncards-card-error"]').count() == 0
    assert canvas.field_error("rate").inner_text() == ""
    # the card's hover note is neutral too
    c = canvas.card(drop["name"])
    nb.page.mouse.move(c["center"]["x"], c["center"]["y"] + c["height"] / 2 - 8)
    tip = canvas.root.locator('[data-testid="nncards-tooltip"]')
    tip.wait_for(state="visible")
    assert "needs a value" in tip.inner_text()
    assert "nnc-tooltip-error" not in (tip.get_attribute("class") or "")
    nb.shot("a new Dropout: the rate field says it needs a value")
    canvas.set_text("rate", "0.2")
    canvas.wait_value(drop["uid"], "rate", 0.2)
    hint.wait_for(state="detached")
    # a new card with nothing wired in: a neutral note, not a red box
    canvas.add_by_click("flatten", "layer_Flatten")
    pending = canvas.root.locator('[data-testid="nncards-card-pending"]')
    pending.wait_for(state="visible")
    assert "nothing connected" in pending.inner_text()
    assert canvas.root.locator('[data-testid="nncards-card-error"]').count() == 0
    nb.shot("a new Flatten: not connected yet, as a note")
    nb.assert_no_errors()


def test_canvas_delete_undo_redo(open_notebook):
    nb, canvas = _open_editor(open_notebook, "canvas_undo")
    inp, dense, out = _build_wine_classifier(nb, canvas)
    canvas.click_card(dense)
    canvas.press("Delete")
    canvas.wait_cards(2)
    canvas.wait_wires(0)
    nb.shot("dense deleted")
    i = nb.add_cell("print(len(ed.cards), len(ed.wires))")
    assert nb.output_text(i).strip() == "2 0"

    canvas.root.click(position={"x": 5, "y": 5})  # focus the editor, not a notebook cell
    canvas.press("Control+z")
    canvas.wait_cards(3)
    canvas.wait_wires(2)
    nb.shot("undo brings card and wires back")
    i = nb.add_cell("print(len(ed.cards), len(ed.wires), ed['dense'].units)")
    assert nb.output_text(i).strip() == "3 2 3"

    canvas.root.click(position={"x": 5, "y": 5})
    canvas.press("Control+Shift+z")
    canvas.wait_cards(2)
    canvas.press("Control+z")
    canvas.wait_cards(3)
    # undo the parameter edit and the wires, step by step
    canvas.press("Control+z")  # the Dense -> Output wire
    canvas.wait_wires(1)
    canvas.press("Control+z")  # Input -> Dense
    canvas.wait_wires(0)
    nb.shot("wires undone")
    # box select everything with shift-drag and delete with Backspace
    box = canvas.canvas_box()
    canvas.page.keyboard.down("Shift")
    canvas.drag((box["x"] + 4, box["y"] + 4), (box["x"] + box["width"] - 4, box["y"] + box["height"] - 4))
    canvas.page.keyboard.up("Shift")
    canvas.wait("v.cy.$('node:selected').length === 3")
    canvas.press("Backspace")
    canvas.wait_cards(0)
    nb.shot("all deleted")
    canvas.press("Control+z")
    canvas.wait_cards(3)


def test_canvas_move_is_synced_and_undoable(open_notebook):
    nb, canvas = _open_editor(open_notebook, "canvas_move")
    canvas.add_by_click("dense", "layer_Dense")
    c = canvas.card("dense")
    start = (c["center"]["x"], c["center"]["y"] - c["height"] / 2 + 12)
    i = nb.add_cell("print(ed['dense'].position)")
    before = nb.output_text(i)
    canvas.drag(start, (start[0] + 120, start[1] + 40))
    canvas.wait("(() => { const p = v.model.get('graph').get('nodes')[0].get('position'); return p && Math.abs(p.x - arg) > 50; })()",
                canvas.eval("v.model.get('graph').get('nodes')[0].get('position').x"))
    i = nb.add_cell("print(ed['dense'].position)")
    after = nb.output_text(i)
    assert after != before
    canvas.root.click(position={"x": 5, "y": 5})
    canvas.press("Control+z")
    i = nb.add_cell("import time; time.sleep(0.5); print(ed['dense'].position)")
    assert nb.output_text(i) == before


def test_canvas_python_side_changes_redraw(open_notebook):
    nb, canvas = _open_editor(open_notebook, "canvas_python", cells=[
        "from nncards_widget import NetworkEditor\n"
        "ed = NetworkEditor()\n"
        "x = ed.add('input', name='features', shape=[13])\n"
        "d = ed.add('Dense', units=3, activation='softmax')\n"
        "ed.connect(x, d)\n"
        "ed",
    ])
    canvas.wait_cards(2)
    canvas.wait_wires(1)
    dense = canvas.card("dense")["uid"]
    canvas.click_card(dense)
    assert canvas.field("units").input_value() == "3"
    nb.shot("built in python")
    nb.add_cell("d.units = 64")
    canvas.wait_value(dense, "units", 64)
    canvas.wait("(v.faceSvg(arg) || '').includes('>64<')", dense)
    assert canvas.field("units").input_value() == "64"
    nb.add_cell("o = ed.add('output', name='y')\nw = ed.connect(d, o)")
    canvas.wait_cards(3)
    canvas.wait_wires(2)
    nb.add_cell("ed.remove(x)")
    canvas.wait_cards(2)
    canvas.wait_wires(1)
    nb.shot("python-side changes shown")
    nb.assert_no_errors()
