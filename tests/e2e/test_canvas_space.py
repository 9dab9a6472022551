"""Canvas space and chrome (issue 9, "Space" and "Smaller"), in a real JupyterLab / Notebook 7
with headless chromium: the first view frames the whole network, panels fold and float over the
canvas at narrow widths, the toolbar never overlaps itself, palette names are whole, adding a
card does not move the others, the status line follows the kernel, and the minimap pans.

Screenshots of every step land in tests/artifacts/<test name>/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .canvas_helpers import Canvas
from .test_canvas_editor import THIRTY

SMALL = (
    "from nncards_widget import NetworkEditor\n"
    "ed = NetworkEditor()\n"
    "x = ed.add('input', name='features', shape=[13], position={'x': 0, 'y': 0})\n"
    "d = ed.add('Dense', name='hidden', units=8, position={'x': 330, 'y': 0})\n"
    "ed.connect(x, d)\n"
    "ed"
)

EMPTY = "from nncards_widget import NetworkEditor\ned = NetworkEditor()\ned"

ROOT = Path(__file__).resolve().parents[2]

#: the readable zoom (js/src/viewport.ts READABLE_ZOOM): below it cards draw as boxes
READABLE_ZOOM = 0.7


def _open(open_notebook, name, cells, viewport=(1500, 1000), ui="lab"):
    nb = open_notebook(name, cells, viewport=viewport, ui=ui)
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait("v.catalogSize > 50")
    return nb, canvas


def _classes(canvas: Canvas) -> str:
    return canvas.root.get_attribute("class") or ""


def _pressed(canvas: Canvas, what: str) -> bool:
    toggle = canvas.root.locator(f'[data-testid="nncards-{what}-toggle"]')
    return toggle.get_attribute("aria-pressed") == "true"


def _visible_area(canvas: Canvas) -> dict:
    """The page rectangle of the canvas a user sees: the canvas less the panels over it."""
    box = canvas.canvas_box()
    return {"x1": box["x"], "y1": box["y"], "x2": box["x"] + box["width"],
            "y2": box["y"] + box["height"]}


def _inside(card: dict, area: dict, slack: float = 1.0) -> bool:
    c, w, h = card["center"], card["width"] / 2, card["height"] / 2
    return (c["x"] - w >= area["x1"] - slack and c["x"] + w <= area["x2"] + slack
            and c["y"] - h >= area["y1"] - slack and c["y"] + h <= area["y2"] + slack)


def _settle(canvas: Canvas, ms: int = 400):
    """Wait until the view stops moving (framing runs on resize and on the first cards)."""
    last = None
    for _ in range(20):
        now = canvas.eval("[v.cy.zoom(), v.cy.pan().x, v.cy.pan().y]")
        if now == last:
            return
        last = now
        canvas.page.wait_for_timeout(ms // 2)


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_first_view_frames_the_whole_network_with_the_palette_folded(open_notebook, ui):
    nb, canvas = _open(open_notebook, f"first_view_{ui}", [THIRTY], viewport=(1500, 1100), ui=ui)
    canvas.wait_cards(30)
    _settle(canvas)
    nb.shot("thirty cards as first shown")
    # a network made in Python opens with the palette folded
    assert not _pressed(canvas, "palette"), _classes(canvas)
    assert "nnc-palette-collapsed" in _classes(canvas)
    # every card is on screen, in the part of the canvas no panel covers
    area = _visible_area(canvas)
    cards = canvas.cards()
    outside = [c["name"] for c in cards if not _inside(c, area)]
    assert not outside, (outside, area)
    # too long to read at this width: the whole chain is shown as boxes (level of detail)
    zoom = canvas.eval("v.cy.zoom()")
    if zoom < READABLE_ZOOM:
        assert canvas.eval("v.cy.nodes().every(n => n.hasClass('nnc-far'))"), zoom
    # framed, not just inside: the network fills the visible area's width or height
    left = min(c["center"]["x"] - c["width"] / 2 for c in cards)
    right = max(c["center"]["x"] + c["width"] / 2 for c in cards)
    top = min(c["center"]["y"] - c["height"] / 2 for c in cards)
    bottom = max(c["center"]["y"] + c["height"] / 2 for c in cards)
    assert (right - left > 0.8 * (area["x2"] - area["x1"])
            or bottom - top > 0.8 * (area["y2"] - area["y1"])), (left, right, top, bottom, area)

    # Fit after zooming in frames it all again
    for _ in range(4):
        canvas.root.locator('[data-testid="nncards-zoom-in"]').click()
    assert any(not _inside(c, _visible_area(canvas)) for c in canvas.cards())
    canvas.root.locator('[data-testid="nncards-fit"]').click()
    nb.page.wait_for_timeout(300)
    area = _visible_area(canvas)
    assert all(_inside(c, area) for c in canvas.cards())

    # an empty editor opens with the palette
    i = nb.add_cell("NetworkEditor()")
    empty = Canvas(nb, 1)
    empty.wait_ready()
    nb.output(i).scroll_into_view_if_needed()
    assert _pressed(empty, "palette")
    assert empty.root.locator('[data-testid="nncards-palette"]').is_visible()
    nb.shot("an empty editor opens with its palette")
    nb.assert_no_errors()


def test_the_quickstart_network_opens_framed_whole(open_notebook, lab_server):
    lab_server.copy_in(ROOT / "notebooks" / "quickstart.ipynb", "space_quickstart.ipynb")
    nb = open_notebook("space_quickstart", viewport=(1400, 900))
    nb.run_cell(1)  # imports (cell 0 is the title)
    nb.run_cell(3)  # the network, shown
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait("v.cardsInfo().length >= 4")
    _settle(canvas)
    canvas.root.scroll_into_view_if_needed()
    nb.shot("quickstart network as first shown", locator=canvas.root)
    assert not _pressed(canvas, "palette")
    area = _visible_area(canvas)
    outside = [c["name"] for c in canvas.cards() if not _inside(c, area)]
    assert not outside, (outside, area)
    # readable: the faces are drawn (not far-out boxes), at a zoom where card text is ~8 px or
    # more; the inspector, which would have made it too small, starts folded (one click away)
    zoom = canvas.eval("v.cy.zoom()")
    assert zoom >= READABLE_ZOOM, zoom
    assert not canvas.eval("v.cy.nodes().some(n => n.hasClass('nnc-far'))")
    assert not _pressed(canvas, "inspector")

    # selecting a card shows the inspector over the canvas: the card under the pointer stays put
    cards = canvas.cards()
    first = min(cards, key=lambda c: c["center"]["x"])
    before = {c["uid"]: c["center"] for c in cards}
    canvas.click_card(first["uid"])
    inspector = canvas.root.locator('[data-testid="nncards-inspector"]')
    inspector.wait_for(state="visible")
    nb.page.wait_for_timeout(300)
    assert _pressed(canvas, "inspector")
    assert canvas.eval("v.cy.zoom()") == zoom
    after = {c["uid"]: c["center"] for c in canvas.cards()}
    moved = abs(after[first["uid"]]["x"] - before[first["uid"]]["x"]) + abs(
        after[first["uid"]]["y"] - before[first["uid"]]["y"])
    assert moved < 1, (before[first["uid"]], after[first["uid"]])
    nb.shot("a card selected: the inspector over the canvas", locator=canvas.root)

    # nothing selected: the inspector folds again, nothing moves
    canvas.click_background()
    inspector.wait_for(state="hidden")
    assert not _pressed(canvas, "inspector")
    assert canvas.eval("v.cy.zoom()") == zoom
    assert canvas.card(first["name"])["center"] == after[first["uid"]]

    # a card the panel would hide is panned clear of it, the least
    last = max(cards, key=lambda c: c["center"]["x"])
    canvas.click_card(last["uid"])
    inspector.wait_for(state="visible")
    nb.page.wait_for_timeout(300)
    panel = inspector.bounding_box()
    card = canvas.card(last["name"])
    right = card["center"]["x"] + card["width"] / 2
    assert panel["x"] - 40 <= right <= panel["x"], (card, panel)
    nb.shot("the last card selected, clear of the inspector", locator=canvas.root)
    nb.assert_no_errors()


def _toolbar_overlaps(canvas: Canvas) -> list:
    boxes = canvas.eval(
        "Array.from(v.el.querySelectorAll('.nnc-toolbar > *'))"
        ".filter(e => e.offsetParent !== null && !e.classList.contains('nnc-spacer'))"
        ".map(e => { const r = e.getBoundingClientRect();"
        " return {name: e.dataset.testid || e.className, x1: r.left, y1: r.top, x2: r.right,"
        " y2: r.bottom}; })")
    bar = canvas.eval("(() => { const r = v.el.querySelector('.nnc-toolbar')"
                      ".getBoundingClientRect(); return {x1: r.left, x2: r.right, y1: r.top,"
                      " y2: r.bottom}; })()")
    problems = []
    for i, a in enumerate(boxes):
        if a["x1"] < bar["x1"] - 0.5 or a["x2"] > bar["x2"] + 0.5 or a["y2"] > bar["y2"] + 0.5:
            problems.append(("outside the toolbar", a["name"]))
        for b in boxes[i + 1:]:
            if (min(a["x2"], b["x2"]) - max(a["x1"], b["x1"]) > 0.5
                    and min(a["y2"], b["y2"]) - max(a["y1"], b["y1"]) > 0.5):
                problems.append(("overlap", a["name"], b["name"]))
    return problems


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_toolbar_and_panels_from_400_px_to_full_width(open_notebook, ui):
    nb, canvas = _open(open_notebook, f"widths_{ui}", [SMALL], viewport=(1400, 900), ui=ui)
    canvas.wait_cards(2)
    if ui == "lab":
        # on a narrow screen the file browser is folded away, as a user would
        nb.js("app.shell.collapseLeft(); app.shell.collapseRight();")
    for width in (1400, 800, 530, 400):
        nb.page.set_viewport_size({"width": width, "height": 900})
        nb.page.wait_for_timeout(500)
        canvas.root.scroll_into_view_if_needed()
        editor = canvas.root.bounding_box()
        nb.shot(f"{width} px", locator=canvas.root)
        problems = _toolbar_overlaps(canvas)
        assert not problems, (width, editor["width"], problems)
        # the inspector can be hidden and shown at every width
        for _ in range(2):
            canvas.root.locator('[data-testid="nncards-inspector-toggle"]').click()
            nb.page.wait_for_timeout(150)
        for what in ("palette", "inspector"):
            if not _pressed(canvas, what):
                canvas.root.locator(f'[data-testid="nncards-{what}-toggle"]').click()
                nb.page.wait_for_timeout(200)
            panel = canvas.root.locator(f'[data-testid="nncards-{what}"]')
            assert panel.is_visible(), (width, what)
            # the canvas a user sees keeps 60% of the editor; a panel that would take more
            # floats over the canvas instead of squeezing it
            wrap = canvas.root.locator(".nnc-canvas-wrap").bounding_box()
            assert wrap["width"] >= 0.6 * editor["width"] - 1, (width, what, wrap, editor)
            nb.shot(f"{width} px, {what} shown", locator=canvas.root)
            assert not _toolbar_overlaps(canvas)
            canvas.root.locator(f'[data-testid="nncards-{what}-toggle"]').click()
            nb.page.wait_for_timeout(150)
            assert not panel.is_visible(), (width, what)
        # two panels never overlap each other
        for what in ("palette", "inspector"):
            canvas.root.locator(f'[data-testid="nncards-{what}-toggle"]').click()
            nb.page.wait_for_timeout(150)
        pal = canvas.root.locator('[data-testid="nncards-palette"]')
        insp = canvas.root.locator('[data-testid="nncards-inspector"]')
        if pal.is_visible() and insp.is_visible():
            a, b = pal.bounding_box(), insp.bounding_box()
            assert a["x"] + a["width"] <= b["x"] + 0.5, (width, a, b)
        nb.shot(f"{width} px, both asked for", locator=canvas.root)
        for what in ("palette", "inspector"):
            if _pressed(canvas, what):
                canvas.root.locator(f'[data-testid="nncards-{what}-toggle"]').click()
                nb.page.wait_for_timeout(100)
    # the user's choice is remembered for this editor: the same after a reload
    canvas.root.locator('[data-testid="nncards-inspector-toggle"]').click()
    assert _pressed(canvas, "inspector") and not _pressed(canvas, "palette")
    nb.save()
    nb.reload()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(2)
    assert _pressed(canvas, "inspector") and not _pressed(canvas, "palette")
    assert canvas.root.locator('[data-testid="nncards-inspector"]').is_visible()
    nb.shot("after a reload: the inspector as the user left it", locator=canvas.root)
    nb.assert_no_errors()


def test_palette_names_are_whole_with_the_full_name_on_hover(open_notebook):
    nb, canvas = _open(open_notebook, "palette_names", [EMPTY], viewport=(1400, 900))
    canvas.open_palette()
    item = canvas.palette_item("apply_layer")
    item.wait_for(state="visible")
    title = item.locator(".nnc-pal-title")
    assert title.inner_text() == "Call layer (shared weights)"
    assert "Call layer (shared weights)" in (item.get_attribute("title") or "")
    # no open item's name is cut: each title shows all of its text
    cut = canvas.eval(
        "Array.from(v.el.querySelectorAll('.nnc-pal-title')).filter(e => e.offsetParent)"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)")
    assert not cut, cut
    nb.shot("palette names", locator=canvas.root)
    nb.assert_no_errors()


def _screen(canvas: Canvas) -> dict:
    """Where each card is on the canvas, in screen pixels from its top left corner (the page
    itself scrolls when a cell is added)."""
    box = canvas.root.locator('[data-testid="nncards-canvas"]').bounding_box()
    return {c["name"]: (c["center"]["x"] - box["x"], c["center"]["y"] - box["y"])
            for c in canvas.cards()}


def test_the_view_does_not_jump_when_a_card_is_added(open_notebook):
    nb, canvas = _open(open_notebook, "no_jump", [
        "from nncards_widget import NetworkEditor\n"
        "ed = NetworkEditor()\n"
        "x = ed.add('input', name='features', shape=[13], position={'x': 0, 'y': 0})\n"
        "ed",
    ], viewport=(1500, 1000))
    canvas.wait_cards(1)
    _settle(canvas)
    before = _screen(canvas)
    zoom = canvas.eval("v.cy.zoom()")
    nb.shot("one card")
    # added in Python where the view has room for it (at its right edge, beside the first
    # card): nothing moves on screen
    ext = canvas.eval("v.cy.extent()")
    width = canvas.card("features")["width"] / zoom
    nb.add_cell(f"ed.add('Dropout', name='drop', rate=0.1,"
                f" position={{'x': {ext['x2'] - 40 - width:.0f}, 'y': 0}})")  # its top-left
    canvas.wait_cards(2)
    nb.page.wait_for_timeout(400)
    after = _screen(canvas)
    for name, p in before.items():
        assert abs(after[name][0] - p[0]) < 1 and abs(after[name][1] - p[1]) < 1, (name, p, after)
    assert canvas.eval("v.cy.zoom()") == zoom
    nb.shot("added beside: nothing moved")
    # added far away in Python: the view pans just enough to show it, the zoom stays
    nb.add_cell("ed.add('Dense', name='far', units=2, position={'x': 3000, 'y': 0})")
    canvas.wait_cards(3)
    nb.page.wait_for_timeout(400)
    after2 = _screen(canvas)
    assert canvas.eval("v.cy.zoom()") == zoom
    far = canvas.card("far")
    area = _visible_area(canvas)
    assert _inside(far, area), (far, area)
    # all the old cards moved by the same offset (a pan), as little as needed: the new card
    # sits at the right edge of the view
    dx = after2["features"][0] - after["features"][0]
    for name, p in after.items():
        assert abs(after2[name][0] - p[0] - dx) < 1 and abs(after2[name][1] - p[1]) < 1, name
    assert area["x2"] - (far["center"]["x"] + far["width"] / 2) < 60, (far, area)
    nb.shot("added far away: panned in")
    # added from the palette: the cards on screen stay put
    before = _screen(canvas)
    canvas.add_by_click("dropout", "layer_Dropout")
    nb.page.wait_for_timeout(400)
    after = _screen(canvas)
    moved = {n: (after[n][0] - p[0], after[n][1] - p[1]) for n, p in before.items()
             if abs(after[n][0] - p[0]) > 1 or abs(after[n][1] - p[1]) > 1}
    assert not moved, moved
    nb.shot("added from the palette")
    nb.assert_no_errors()


def test_status_line_says_the_kernel_is_gone(open_notebook):
    nb, canvas = _open(open_notebook, "status_gone", [
        "from nncards_widget import NetworkEditor\n"
        "ed = NetworkEditor()\n"
        "x = ed.add('input', name='features', shape=[13], position={'x': 0, 'y': 0})\n"
        "d = ed.add('Dense', name='hidden', units=8, position={'x': 330, 'y': 0})\n"
        "ed",
    ], viewport=(1500, 1000))
    canvas.wait_cards(2)
    x, d = canvas.card("features")["uid"], canvas.card("hidden")["uid"]
    # a refused wire: the toast and the status line say why
    canvas.show_more_ports(d)
    canvas.connect(x, "data", d, "kernel_initializer")
    canvas.wait("v.el.querySelector('[data-testid=nncards-toast]').classList.contains('nnc-show')")
    # then a good one: "Connected." and the stale error toast is gone
    canvas.connect(x, "data", d, "input")
    canvas.wait_wires(1)
    canvas.wait("v.el.querySelector('[data-testid=nncards-status]').textContent === 'Connected.'")
    canvas.wait("!v.el.querySelector('[data-testid=nncards-toast]').classList.contains('nnc-show')")
    nb.shot("connected, no error toast")
    # the kernel restarts: the status line says so, not "Connected."
    nb.js("await panel.sessionContext.restartKernel();")
    nb.wait_idle()
    canvas.root.locator('[data-testid="nncards-readonly-banner"]').wait_for(state="visible")
    canvas.wait("v.el.querySelector('[data-testid=nncards-status]').textContent.includes('Kernel')")
    assert canvas.status() == "Kernel restarted — run the cell again", canvas.status()
    # a gesture on the dead canvas does not bring an error toast or another message
    canvas.root.press("Delete")
    nb.page.wait_for_timeout(300)
    assert canvas.status() == "Kernel restarted — run the cell again"
    assert "nnc-show" not in (canvas.root.locator('[data-testid="nncards-toast"]')
                              .get_attribute("class") or "")
    nb.shot("kernel restarted: the status line says so")


def test_minimap_shows_for_a_large_network_and_pans_the_canvas(open_notebook):
    nb, canvas = _open(open_notebook, "minimap", [THIRTY], viewport=(1500, 1100))
    canvas.wait_cards(30)
    _settle(canvas)
    minimap = canvas.root.locator('[data-testid="nncards-minimap"]')
    # the whole network is in view: no minimap
    assert not minimap.is_visible()
    assert not _pressed(canvas, "minimap")
    # zoomed in to read the cards, the network no longer fits: the minimap shows
    canvas.eval("(() => { const c = v.cy.getElementById(v.cardsInfo()[0].uid);"
                " v.cy.zoom(1); v.cy.center(c); })()")
    minimap.wait_for(state="visible")
    assert _pressed(canvas, "minimap")
    canvas.wait("v.minimapRect() !== null")
    nb.shot("zoomed in: the minimap shows")
    # the wires are drawn, grey lines between the boxes
    grey = canvas.eval("(() => { const c = v.el.querySelector('[data-testid=\"nncards-minimap\"] canvas');"
                       " const d = c.getContext('2d')"
                       ".getImageData(0, 0, c.width, c.height).data; let n = 0;"
                       " for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 60 &&"
                       " Math.abs(d[i] - 120) < 20 && Math.abs(d[i + 2] - 145) < 20) n++; }"
                       " return n; })()")
    assert grey > 20, grey
    # dragging the view rectangle to the right moves the view right along the network
    rect = canvas.eval("v.minimapRect()")
    pan0 = canvas.eval("v.cy.pan()")
    zoom = canvas.eval("v.cy.zoom()")
    start = (rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2)
    canvas.drag(start, (start[0] + 60, start[1]), steps=8)
    pan1 = canvas.eval("v.cy.pan()")
    assert pan1["x"] < pan0["x"] - 200, (pan0, pan1)  # the cards moved left on screen
    assert abs(pan1["y"] - pan0["y"]) < 0.05 * abs(pan1["x"] - pan0["x"]) + 5, (pan0, pan1)
    assert canvas.eval("v.cy.zoom()") == zoom
    # the rectangle followed the pointer
    rect1 = canvas.eval("v.minimapRect()")
    assert abs((rect1["x"] + rect1["width"] / 2) - (start[0] + 60)) < 6, (rect1, start)
    nb.shot("dragged the view rectangle")
    # a click elsewhere on the map centres the view there
    box = minimap.bounding_box()
    nb.page.mouse.click(box["x"] + 12, box["y"] + box["height"] / 2)
    pan2 = canvas.eval("v.cy.pan()")
    assert pan2["x"] > pan1["x"], (pan1, pan2)
    nb.shot("clicked the left end of the map")
    # the toggle hides it
    canvas.root.locator('[data-testid="nncards-minimap-toggle"]').click()
    minimap.wait_for(state="hidden")
    assert not _pressed(canvas, "minimap")
    nb.assert_no_errors()
