"""The editor's bookkeeping for the view: coalesced graph sync and card placement."""

from __future__ import annotations

import asyncio

from nncards_widget import NetworkEditor
from nncards_widget.editor import CARD_WIDTH, card_height


def _overlap(a, b):
    (ax, ay, ah), (bx, by, bh) = a, b
    return abs(ax - bx) < CARD_WIDTH and abs(ay - by) < (ah + bh) / 2


def _boxes(ed):
    return [(c.position["x"], c.position["y"], card_height(c.spec)) for c in ed.cards]


def test_new_cards_never_overlap_even_after_moves():
    ed = NetworkEditor()
    for _ in range(12):
        ed.add("Dense", units=2)
    moved = ed.cards[3]
    moved.position = {"x": 140.0, "y": 2000.0}  # moved by the user, far below the rows
    ed.cards[4].position["y"] = 1500.0  # an in-place edit of the position dict counts too
    for _ in range(12):
        ed.add("LSTM", units=2)
    ed.add("Dense", units=1, position={"x": moved.position["x"], "y": moved.position["y"]})
    boxes = _boxes(ed)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not _overlap(a, b), (a, b)


def test_graph_lists_match_the_cards_and_wires():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[2])
    d = ed.add("Dense", units=1)
    ed.connect(x, d)
    state = ed.graph.get_state()
    assert state["nodes"] == [f"IPY_MODEL_{c.model_id}" for c in ed.cards]
    assert state["edges"] == [f"IPY_MODEL_{w.model_id}" for w in ed.wires]
    ed.remove(d)
    assert ed.graph.get_state()["nodes"] == [f"IPY_MODEL_{x.model_id}"]
    assert ed.graph.get_state()["edges"] == []


def test_graph_sync_is_coalesced_per_loop_turn_inside_a_kernel_loop():
    """In a kernel (a running asyncio loop) the node/edge lists are sent once per cell."""

    async def cell():
        ed = NetworkEditor()
        x = ed.add("input", name="x", shape=[2])
        d = ed.add("Dense", units=1)
        ed.connect(x, d)
        assert ed.graph._holding_sync  # changes of this cell wait ...
        assert {"nodes", "edges"} <= ed.graph._states_to_send
        await asyncio.sleep(0)
        assert not ed.graph._holding_sync  # ... and are sent right after it
        assert not ed.graph._states_to_send
        ed.add("Dense", units=1)
        assert ed.graph._holding_sync
        # A view request sends the lists before its reply.
        reply = ed._handle_view_request(ed, {"request_id": 1, "type": "add",
                                             "card_id": "layer_Dense", "params": {"units": 2}},
                                        None)
        assert reply["ok"] and not ed.graph._holding_sync
        return ed

    ed = asyncio.run(cell())
    assert len(ed.cards) == 4


def _view_matches_graph(ed):
    """What the view is sent (widgets, node and edge lists) is the Python graph, in its order."""
    g = ed.graph_model
    state = ed.graph.get_state()
    assert state["nodes"] == [f"IPY_MODEL_{ed.card_widget(u).model_id}" for u in g.cards]
    assert state["edges"] == [f"IPY_MODEL_{ed.wire_widget(w).model_id}" for w in g.wires]
    for uid, data in g.cards.items():
        card = ed.card_widget(uid)
        assert (card.card_id, card.name, card.params) == (data.card_id, data.name, data.params)
        assert dict(card.position) == dict(data.position)
    for wid, data in g.wires.items():
        assert ed.wire_widget(wid).to_data() == data


def test_the_widgets_are_the_graph_drawn_whoever_changes_it():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", units=3)
    ed.connect(x, d)
    d.units = 7  # a cell
    assert ed.graph_model.cards[d.uid].params["units"] == 7
    reply = ed._handle_view_request(ed, {"request_id": 1, "type": "set_param", "uid": d.uid,
                                         "name": "activation", "value": "relu"}, None)
    assert reply["ok"] and d.activation == "relu"  # a view
    assert ed.graph_model.cards[d.uid].params["activation"] == "relu"
    ed._handle_view_request(ed, {"request_id": 2, "type": "move",
                                 "positions": {x.uid: {"x": 5, "y": 6}}}, None)
    assert x.position == {"x": 5.0, "y": 6.0}
    d.name = "hidden"
    _view_matches_graph(ed)
    ed.remove(x)
    _view_matches_graph(ed)
    ed.undo()  # the history
    ed.undo()
    _view_matches_graph(ed)
    assert d.name == "dense" and [c.name for c in ed.cards] == ["x", "dense"]
