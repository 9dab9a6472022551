"""Work survives: a kernel restart plus re-running the cell brings the network back (from its file,
or from the notebook), a canvas without a kernel says so and does not edit, and a notebook saved
with widget state stays small (the catalogue is not saved with every editor)."""

from __future__ import annotations

import json
import time

import pytest

from .canvas_helpers import Canvas

BANNER = '[data-testid="nncards-readonly-banner"]'
OFFER = '[data-testid="nncards-restore-offer"]'
#: Console errors of the restart itself (messages to the old kernel), and a font file Notebook 7
#: asks its server for and does not get (403 in the server log): not the editor's.
NOT_OURS = [r"Cannot send", r"[Kk]ernel", r"comm", r"status of 403"]


def _draw_network(canvas: Canvas) -> dict:
    """Add Input -> Dense on the canvas with the mouse; returns {name: uid}."""
    x = canvas.add_by_click("input", "input")
    d = canvas.add_by_click("dense", "layer_Dense")
    canvas.click_background()
    canvas.wait_cards(2)
    canvas.connect(x, "data", d, "input")
    canvas.wait_wires(1)
    return {c["name"]: c["uid"] for c in canvas.cards()}


def _wait_for_file(path, ready, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        try:
            graph = json.loads(path.read_text())
            if ready(graph):
                return graph
        except (OSError, ValueError):
            graph = None
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} did not get the network in {timeout} s: {graph}")
        time.sleep(0.2)


def _wait_for(read, ready, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value is not None and ready(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s; last seen: {value}")
        time.sleep(0.2)


def _cell_graph(nb, index: int):
    """The graph the view keeps in the metadata of cell ``index`` (None when there is none)."""
    return nb.js("const m = panel.content.model.cells.get(arg).getMetadata('nncards');"
                 "return m ? m.graph : null;", index)


def _restart_kernel(nb) -> None:
    nb.js("await panel.sessionContext.restartKernel();")
    nb.wait_idle()


def _python(nb, code: str) -> str:
    return nb.output_text(nb.add_cell(code)).strip()


def test_file_network_is_back_after_a_kernel_restart_and_the_old_canvas_says_so(
        open_notebook, lab_server):
    path = lab_server.root / "restart_net.cards.json"
    path.unlink(missing_ok=True)
    cell = ("from nncards_widget import NetworkEditor\n"
            "ed = NetworkEditor('restart_net.cards.json')\ned")
    nb = open_notebook("persist_file", [cell])
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    drawn = _draw_network(canvas)
    saved = _wait_for_file(path, lambda g: len(g["wires"]) == 1)  # written after each request
    assert sorted(c["uid"] for c in saved["cards"]) == sorted(drawn.values())
    assert len(saved["wires"]) == 1
    nb.shot("network drawn, kept in restart_net.cards.json")

    _restart_kernel(nb)
    banner = canvas.root.locator(BANNER)
    banner.wait_for(state="visible")
    assert "Kernel restarted — run the cell again" in banner.inner_text()
    assert canvas.root.get_attribute("data-readonly") == "kernel-gone"
    nb.shot("kernel restarted: the old canvas says so")
    # editing is off: a click on the palette adds nothing, Delete removes nothing
    before = len(canvas.cards())
    canvas.root.locator('[data-testid="nncards-palette-toggle"]').click(force=True)
    canvas.root.press("Delete")
    assert len(canvas.cards()) == before

    nb.run_cell(0)
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(2)
    canvas.wait_wires(1)
    assert {c["name"]: c["uid"] for c in canvas.cards()} == drawn
    assert canvas.root.locator(BANNER).is_hidden()
    assert canvas.root.locator(OFFER).count() == 0  # the file brought it back: nothing to offer
    nb.shot("re-run in the new kernel: the network is back")
    out = _python(nb, "print(sorted(c.name for c in ed.cards), len(ed.wires), ed.path)")
    assert out == f"{sorted(drawn)} 1 restart_net.cards.json"
    nb.assert_no_errors(ignore=NOT_OURS)


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_notebook_keeps_the_network_and_offers_to_restore_it_after_a_restart(open_notebook, ui):
    cell = "from nncards_widget import NetworkEditor\ned = NetworkEditor()\ned"
    nb = open_notebook(f"persist_metadata_{ui}", [cell], ui=ui)
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    assert canvas.root.locator(OFFER).count() == 0  # nothing saved yet: nothing to offer
    drawn = _draw_network(canvas)
    # the view keeps the graph in the metadata of the cell showing it
    _wait_for(lambda: _cell_graph(nb, 0), lambda g: len(g["cards"]) == 2 and len(g["wires"]) == 1)
    _restart_kernel(nb)
    canvas.root.locator(BANNER).wait_for(state="visible")

    nb.run_cell(0)
    canvas = Canvas(nb)
    canvas.wait_ready()
    offer = canvas.root.locator(OFFER)
    offer.wait_for(state="visible")
    assert "Restore the network saved in this notebook (2 cards)" in offer.inner_text()
    nb.shot("re-run after a restart: the restore offer")
    canvas.root.locator('[data-testid="nncards-restore"]').click()
    canvas.wait_cards(2)
    canvas.wait_wires(1)
    offer.wait_for(state="detached")
    assert {c["name"]: c["uid"] for c in canvas.cards()} == drawn
    nb.shot("restored with one click")
    # one undoable step, seen from Python
    out = _python(nb, "print(ed.undo_state['undo'], ed.undo_state['undo_count'], len(ed.cards), "
                      "len(ed.wires))")
    assert out == "Load graph 1 2 1"
    out = _python(nb, "ed.undo(); print(len(ed.cards))")
    assert out == "0"
    nb.assert_no_errors(ignore=NOT_OURS)


def test_three_card_notebook_saved_with_widget_state_is_small_and_reopens_read_only(
        open_notebook, lab_server):
    build = ("from nncards_widget import NetworkEditor\n"
             "ed = NetworkEditor()\n"
             "x = ed.add('input', name='features', shape=[13])\n"
             "d = ed.add('Dense', units=3, activation='softmax')\n"
             "ed.connect(x, d); ed.connect(d, ed.add('output', name='species'))\n"
             "ed")
    nb = open_notebook("persist_small", [build])
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(3)
    canvas.wait_wires(2)
    faces = {c["name"]: canvas.face(c["uid"]) for c in canvas.cards()}
    saved = nb.save()  # the server runs with "save widget state automatically" on
    state = saved["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    editors = [m for m in state.values() if m["model_name"] == "NetworkEditorModel"]
    assert len(editors) == 1 and "catalog" not in editors[0]["state"]
    size = (lab_server.root / "persist_small.ipynb").stat().st_size
    assert size < 60_000, f"the saved notebook is {size} bytes"
    nb.close()

    # reopened without a kernel behind the editor: drawn the same, read-only, and it says so
    nb2 = open_notebook("persist_small")
    canvas2 = Canvas(nb2)
    canvas2.wait_ready()
    canvas2.wait_cards(3)
    assert {c["name"]: canvas2.face(c["uid"]) for c in canvas2.cards()} == faces
    banner = canvas2.root.locator(BANNER)
    banner.wait_for(state="visible")
    assert "Read-only" in banner.inner_text()
    assert canvas2.root.get_attribute("data-readonly") == "snapshot"
    nb2.shot("saved snapshot: read-only")


def test_a_canvas_whose_kernel_was_shut_down_says_so_and_does_not_edit(open_notebook):
    nb = open_notebook("persist_shutdown", [
        "from nncards_widget import NetworkEditor\ned = NetworkEditor()\n"
        "ed.add('input', name='x', shape=[3])\ned"])
    nb.run_all()
    canvas = Canvas(nb)
    canvas.wait_ready()
    canvas.wait_cards(1)
    nb.js("await panel.sessionContext.shutdown();")
    banner = canvas.root.locator(BANNER)
    banner.wait_for(state="visible")
    assert "Kernel stopped" in banner.inner_text()
    assert canvas.root.get_attribute("data-readonly") == "kernel-gone"
    canvas.root.press("Delete")
    assert len(canvas.cards()) == 1
    nb.shot("kernel shut down: the canvas says so")
