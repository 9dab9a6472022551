"""The card canvas across views and sessions: two views of one editor, saved widget state, Notebook 7."""

from __future__ import annotations

import json

from .canvas_helpers import Canvas

BUILD = (
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[13])\n"
    "d = ed.add('Dense', units=3, activation='softmax')\n"
    "o = ed.add('output', name='species')\n"
    "ed.connect(x, d)\n"
    "w = ed.connect(d, o)"
)


def _faces(canvas: Canvas) -> dict:
    return {c["name"]: canvas.face(c["uid"]) for c in canvas.cards()}


def _two_views(open_notebook, name: str):
    """A notebook showing one three-card editor twice; returns it and both canvases, drawn."""
    nb = open_notebook(name, [BUILD, "ed", "ed"], viewport=(1500, 1500))
    nb.run_all()
    a, b = Canvas(nb, 0), Canvas(nb, 1)
    for c in (a, b):
        c.wait_ready()
        c.wait_cards(3)
        c.wait_wires(2)
    return nb, a, b


def test_canvas_two_views_stay_identical(open_notebook):
    nb, a, b = _two_views(open_notebook, "canvas_two_views")
    # an edit in the first view shows in the second
    dense = a.card("dense")["uid"]
    a.click_card(dense)
    a.set_text("units", "7")
    b.wait("(v.faceSvg(arg) || '').includes('>7<')", dense)
    # a change from Python shows in both
    nb.add_cell("d2 = ed.add('Dropout', rate=0.25)\nw2 = ed.connect(d, d2)")
    for c in (a, b):
        c.wait_cards(4)
        c.wait_wires(3)
    assert _faces(a) == _faces(b)
    assert sorted(w["id"] for w in a.wires()) == sorted(w["id"] for w in b.wires())
    nb.shot("two views of one editor")
    nb.assert_no_errors()


def test_canvas_reopen_saved_notebook_restores_graph(open_notebook):
    nb = open_notebook("canvas_reopen", [BUILD, "ed"])
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(3)
    canvas.wait_wires(2)
    before = _faces(canvas)
    saved = nb.save()
    assert "application/vnd.jupyter.widget-state+json" in saved["metadata"].get("widgets", {})
    nb.close()

    nb2 = open_notebook("canvas_reopen")
    canvas2 = Canvas(nb2)
    canvas2.wait_ready()
    canvas2.wait_cards(3)
    canvas2.wait_wires(2)
    assert _faces(canvas2) == before
    nb2.shot("reopened from saved widget state")


def test_canvas_notebook7_smoke(open_notebook):
    nb = open_notebook("canvas_nb7", [BUILD, "ed"], ui="notebook")
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(3)
    canvas.wait_wires(2)
    canvas.click_card(canvas.card("dense")["uid"])
    uid = canvas.add_by_click("drop", "layer_Dropout")
    canvas.set_text("rate", "0.5")
    canvas.wait_value(uid, "rate", 0.5)
    i = nb.add_cell("print(len(ed.cards), ed.cards[-1].rate)")
    assert nb.output_text(i).strip() == "4 0.5"
    nb.shot("notebook 7")


def test_canvas_one_undo_history_for_python_and_every_view(open_notebook):
    nb, a, b = _two_views(open_notebook, "canvas_history")
    undo_a, redo_a = (a.root.locator(f'[data-testid="nncards-{k}"]') for k in ("undo", "redo"))
    undo_b = b.root.locator('[data-testid="nncards-undo"]')
    # the network was made in Python: its last step can be undone from the toolbar
    assert undo_a.is_enabled() and undo_b.is_enabled()
    assert redo_a.is_disabled()
    assert undo_a.get_attribute("title") != "Undo (Ctrl+Z)"
    dense = a.card("dense")["uid"]

    # an edit in the first view is undone from the second view's toolbar
    a.click_card(dense)
    a.set_text("units", "7")
    b.wait("(v.faceSvg(arg) || '').includes('>7<')", dense)
    b.wait("(u => !u.disabled && /Units/.test(u.title))(v.el.querySelector('[data-testid=nncards-undo]'))")
    undo_b.click()
    for c in (a, b):
        c.wait("(v.faceSvg(arg) || '').includes('>3<')", dense)
    i = nb.add_cell("print(ed['dense'].units)")
    assert nb.output_text(i).strip() == "3"
    # ... and redone from the first view's
    a.wait("!v.el.querySelector('[data-testid=nncards-redo]').disabled")
    redo_a.click()
    b.wait("(v.faceSvg(arg) || '').includes('>7<')", dense)

    # an edit made in Python is undone with Ctrl+Z in a view
    nb.add_cell("d.units = 64")
    a.wait("(v.faceSvg(arg) || '').includes('>64<')", dense)
    a.root.click(position={"x": 5, "y": 5})
    a.press("Control+z")
    for c in (a, b):
        c.wait("(v.faceSvg(arg) || '').includes('>7<')", dense)
    i = nb.add_cell("print(ed['dense'].units)")
    assert nb.output_text(i).strip() == "7"
    nb.shot("one history for Python and both views")
    nb.assert_no_errors()


def test_canvas_kernel_placement_heights_match_the_drawn_cards(open_notebook):
    """The kernel places cards added from Python using card_height; the view reserves
    placementHeight. Both read catalog/geometry.json; here they are compared for every card."""
    nb = open_notebook("canvas_heights", [
        "import json\n"
        "from nncards_widget import NetworkEditor, catalog\n"
        "from nncards_widget.editor import card_height\n"
        "ed = NetworkEditor()\n"
        "print(json.dumps({s.id: card_height(s) for s in catalog.cards()}))",
        "ed",
    ])
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    kernel = json.loads(nb.output_text(0).strip().splitlines()[-1])
    # the view knows every catalogue card (it may know more: cards made in the kernel)
    canvas.wait("Object.keys(v.placementHeights()).length >= arg", len(kernel))
    view = canvas.eval("v.placementHeights()")
    assert set(kernel) <= set(view), set(kernel) - set(view)
    assert len(kernel) >= 88
    differ = {k: (kernel[k], view.get(k)) for k in kernel if kernel[k] != view.get(k)}
    assert not differ, differ


def _catalog_requests(page) -> list:
    """Count the `catalog` requests the page sends to the kernel, as its websocket frames show."""
    sent: list = []

    def watch(ws):
        def frame(payload):
            text = payload if isinstance(payload, str) else payload.decode("utf-8", "replace")
            if '"type":"catalog"' in text.replace(" ", ""):
                sent.append(ws.url)

        ws.on("framesent", frame)

    page.on("websocket", watch)
    return sent


def test_canvas_custom_layer_needs_no_new_catalogue(open_notebook):
    """A card kind made in the kernel (a custom layer class) comes with the editor's card_specs:
    the catalogue (about 590 KB) is fetched once per page, not again when the kind is made; the
    card is drawn with its face and the palette lists the kind."""
    nb = open_notebook("canvas_custom_catalogue", [
        "from nncards_widget import NetworkEditor\n"
        "ed = NetworkEditor()\n"
        "x = ed.add('input', name='x', shape=[4])",
        "ed",
    ])
    requests = _catalog_requests(nb.page)
    nb.page.evaluate("() => window.localStorage.clear()")  # no catalogue kept from before
    nb.reload()  # the kernel's websocket opened again, now watched
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(1)
    canvas.wait("v.catalogSize > 50")
    version = canvas.eval("v.model.get('catalog_version')")
    assert len(requests) == 1, requests
    size = canvas.eval("v.catalogSize")

    nb.add_cell(
        "import keras\n"
        "class Scale(keras.layers.Layer):\n"
        "    def __init__(self, factor=2.0, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.factor = factor\n"
        "    def call(self, x):\n"
        "        return x * self.factor\n"
        "s = ed.add(Scale, factor=0.25)\n"
        "ed.connect(x, s)")
    canvas.wait_cards(2)
    canvas.wait_wires(1)
    scale = canvas.card("scale")
    face = canvas.face(scale["uid"])
    assert ">0.25<" in face and "Factor" in face, face  # drawn with its spec: rows and values
    assert canvas.eval("v.model.get('catalog_version')") == version
    assert canvas.eval("v.catalogSize") == size + 1  # the catalogue and the custom kind
    nb.shot("custom layer card drawn")
    # the palette lists the kind, as before: adding one from it gives a second Scale card
    added = canvas.add_by_click("Scale", "custom:Scale")
    assert canvas.model_value(added, "card_id") == "custom:Scale"
    assert ">2<" in canvas.face(added) or ">2.0<" in canvas.face(added)
    nb.shot("custom layer added from the palette")
    nb.wait_idle()
    assert len(requests) == 1, requests  # the catalogue was not fetched again
    nb.assert_no_errors()
