"""Browser test of the far-out drawing (js/src/lod.ts): zoomed out, cards are boxes in their
kind's colour with their names in text a user can read, shared layers and errors marked; wires
are straight lines between the boxes, at least a screen pixel wide."""

from __future__ import annotations

from .canvas_helpers import Canvas

NETWORK = (
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "a = ed.add('input', name='a', shape=[6])\n"
    "b = ed.add('input', name='b', shape=[6])\n"
    "enc = ed.add('Dense', name='encoder', units=4)\n"
    "enc_b = ed.add('apply_layer', name='encoder_b')\n"
    "ed.connect(a, enc)\n"
    "ed.connect(enc['Layer instance'], enc_b['Layer'])\n"
    "ed.connect(b, enc_b['Inputs'])\n"
    "diff = ed.add('Subtract', name='diff')\n"
    "ed.connect(enc, diff)\n"
    "ed.connect(enc_b, diff)\n"
    "bad = ed.add('Reshape', name='bad', target_shape=[5])\n"
    "ed.connect(a, bad)\n"
    "other = ed.add('Dense', name='other', units=2)\n"
    "ed.connect(b, other)\n"
    "ed"
)

# What a card shows far out: its classes, label, font size and border, read from cytoscape.
FAR_LOOK = """Object.fromEntries(v.cy.nodes('.card').map(n => [n.data('name'), {
  classes: n.classes(), label: n.style('label'), font: parseFloat(n.style('font-size')),
  minFont: parseFloat(n.style('min-zoomed-font-size')), border: parseFloat(n.style('border-width')),
  borderColor: n.style('border-color'), borderStyle: n.style('border-style'),
  background: n.style('background-color'), image: n.style('background-image')}]))"""

# How each wire is drawn: its curve style, width and whether it is under the cards.
WIRE_LOOK = """v.cy.edges('.wire').map(e => ({ id: e.id(), curve: e.style('curve-style'),
  width: parseFloat(e.style('width')), under: Number(e.style('z-index')) < Number(e.source().style('z-index'))}))"""


def _zoom_to(canvas: Canvas, level: float):
    """Zoom with the mouse wheel over the canvas centre until the zoom is at most ``level``."""
    box = canvas.eval("(() => { const r = v.cy.container().getBoundingClientRect();"
                      " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
    canvas.page.mouse.move(*box)
    for _ in range(60):
        if canvas.eval("v.cy.zoom()") <= level:
            break
        canvas.page.mouse.wheel(0, 120)
        canvas.page.wait_for_timeout(30)
    canvas.page.wait_for_timeout(400)  # the cards switch over a few frames


def _show(open_notebook, name: str, cell: str, cards: int):
    """Run a notebook of one cell showing an editor; wait for its ``cards`` cards."""
    nb = open_notebook(name, [cell], viewport=(1500, 1000))
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(cards)
    return nb, canvas


def test_far_out_cards_are_named_boxes_with_their_marks(open_notebook):
    nb, canvas = _show(open_notebook, "far_out", NETWORK, 7)
    canvas.wait("v.cy.nodes('.nnc-error').length === 1")
    canvas.wait("v.cy.nodes('.nnc-shared').length === 2")
    canvas.root.locator('[data-testid="nncards-zoom-in"]').click()
    nb.page.wait_for_timeout(300)

    # just under the far zoom: name and kind, in text of at least 10 screen pixels
    _zoom_to(canvas, 0.6)
    zoom = canvas.eval("v.cy.zoom()")
    assert 0.42 <= zoom < 0.7, zoom
    look = canvas.eval(FAR_LOOK)
    for name, card in look.items():
        assert "nnc-far" in card["classes"], (name, card)
        assert card["image"] == "none", (name, card)  # no face decoded far out
        assert card["label"].split("\n")[0] == name, (name, card)
        assert card["font"] * zoom >= 10, (name, card, zoom)
        assert card["border"] * zoom >= 1.5, (name, card, zoom)
    assert look["encoder"]["label"] == "encoder\nDense layer"
    # kinds differ in colour; an error is red; cards sharing a layer have one double border colour
    assert look["other"]["background"] != look["b"]["background"]
    assert look["bad"]["borderColor"] == "rgb(211,47,47)"
    assert look["encoder"]["borderStyle"] == "double" == look["encoder_b"]["borderStyle"]
    assert look["encoder"]["borderColor"] == look["encoder_b"]["borderColor"]
    assert look["other"]["borderStyle"] == "solid"
    # wires: straight lines under the boxes (cheap to draw for every wire while panning)
    wires = canvas.eval(WIRE_LOOK)
    assert len(wires) == 7
    for w in wires:
        assert w["curve"] == "haystack" and w["under"] and w["width"] * zoom >= 1, (w, zoom)
    nb.shot("far out: names and kinds", locator=canvas.root)

    # further out: the name alone, still at least 10 screen pixels
    _zoom_to(canvas, 0.35)
    zoom = canvas.eval("v.cy.zoom()")
    assert 0.25 <= zoom < 0.42, zoom
    look = canvas.eval(FAR_LOOK)
    for name, card in look.items():
        assert card["label"] == name and card["font"] * zoom >= 10, (name, card, zoom)
    nb.shot("further out: names", locator=canvas.root)

    # boxes too small to hold a name: no text, the marks stay
    _zoom_to(canvas, 0.2)
    zoom = canvas.eval("v.cy.zoom()")
    look = canvas.eval(FAR_LOOK)
    for name, card in look.items():
        assert not card["label"] or card["font"] * zoom < card["minFont"], (name, card, zoom)
        assert card["border"] * zoom >= 1.5, (name, card, zoom)
    assert look["bad"]["borderColor"] == "rgb(211,47,47)"
    for w in canvas.eval(WIRE_LOOK):
        assert w["curve"] == "haystack" and w["width"] * zoom >= 0.8, (w, zoom)
    nb.shot("far out: boxes", locator=canvas.root)

    # back in: the faces again
    canvas.root.locator('[data-testid="nncards-fit"]').click()
    nb.page.wait_for_timeout(300)
    for _ in range(12):
        if canvas.eval("v.cy.zoom()") >= 0.7:
            break
        canvas.root.locator('[data-testid="nncards-zoom-in"]').click()
    canvas.wait("v.cy.nodes('.nnc-far').length === 0 && v.cy.edges('.nnc-far').length === 0")
    assert {w["curve"] for w in canvas.eval(WIRE_LOOK)} == {"unbundled-bezier"}
    nb.assert_no_errors()


LARGE = (
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "cards = [ed.add('input', name='x', shape=[4], position={'x': 0, 'y': 0})]\n"
    "for i in range(1, 399):\n"
    "    cards.append(ed.add('Dense', units=2, position={'x': 320.0 * (i % 20), 'y': 420.0 * (i // 20)}))\n"
    "    ed.connect(cards[-2], cards[-1])\n"
    "ed"
)


def test_a_large_network_far_out_decodes_no_card_faces(open_notebook):
    """400 cards open framed whole, far out: every card is a box at once and no card face is
    decoded (a face image costs time and memory for a box a few pixels wide). Fit from 100% keeps
    it so: only the faces that were on screen near were ever decoded."""
    nb, canvas = _show(open_notebook, "far_out_large", LARGE, 399)
    canvas.wait("v.cy.nodes('.card').every(n => n.data('w') > 0)")
    nb.page.wait_for_timeout(800)  # a few frames drawn
    assert canvas.eval("v.cy.zoom()") < 0.42
    assert canvas.eval("v.cy.nodes('.card').every(n => n.hasClass('nnc-far'))")
    assert canvas.eval("v.facesDrawn()") == 0
    nb.shot("400 cards, first view", locator=canvas.root)

    # to 100% on a card in the middle: its neighbours' faces are decoded
    canvas.eval("(() => { v.cy.zoom(1); v.cy.center(v.cy.getElementById(v.cardsInfo()[200].uid));"
                " return true; })()")
    canvas.wait("v.shownCards().every(uid => v.faceReady(uid)) && !v.view.viewport.lod.busy")
    near = canvas.eval("v.facesDrawn()")
    shown = len(canvas.eval("v.shownCards()"))
    assert 0 < near <= shown + 8, (near, shown)

    # Fit: back far out, the other cards switch over frames and are never drawn with faces
    canvas.root.locator('[data-testid="nncards-fit"]').click()
    canvas.wait("v.cy.zoom() < 0.42 && !v.view.viewport.lod.busy")
    nb.page.wait_for_timeout(500)
    assert canvas.eval("v.cy.nodes('.card').every(n => n.hasClass('nnc-far'))")
    assert canvas.eval("v.facesDrawn()") == near
    nb.assert_no_errors()
