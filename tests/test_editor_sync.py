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


class _RecordingComm:
    """A comm to a pretend front end: every message the kernel sends is kept in ``SENT``."""

    SENT: list = []

    def __init__(self, comm_id=None, data=None, **kwargs):
        import uuid

        self.comm_id = comm_id or uuid.uuid4().hex
        self.kernel = True
        self.SENT.append((self.comm_id, "open", data))

    def send(self, data=None, metadata=None, buffers=None):
        self.SENT.append((self.comm_id, data.get("method"), data))

    def on_msg(self, callback):
        pass

    def on_close(self, callback):
        pass

    def close(self, *args, **kwargs):
        pass


def test_one_shape_update_is_one_message_for_all_cards_and_wires(monkeypatch):
    """A shape change of a whole network (the Input shape of a 40-card chain) reaches the view
    as one 'states' message carrying every card's and wire's new shape, not one per widget."""
    import comm

    monkeypatch.setattr(comm, "create_comm", _RecordingComm)
    sent = _RecordingComm.SENT
    sent.clear()
    ed = NetworkEditor()
    ed.live_shapes.mode = "eager"
    x = prev = ed.add("input", name="x", shape=[4])
    for i in range(40):
        d = ed.add("Dense", name=f"d{i}", units=3 if i == 39 else 8)
        ed.connect(prev, d)
        prev = d
    del sent[:]
    x.shape = [5]
    widgets = {w.model_id for w in ed.cards + ed.wires}
    updates = [(cid, data["state"]) for cid, method, data in sent
               if method == "update" and cid in widgets]
    custom = [data["content"] for cid, method, data in sent if method == "custom"]
    assert updates == [(x.model_id, {"shape": [5]})]  # the edit itself, nothing else
    assert ed.total_params == 4 * 0 + 48 + 39 * 72 - 72 + 27  # the editor's own trait
    assert len(custom) == 1 and custom[0]["type"] == "states"
    states = custom[0]["states"]
    first = ed.cards[1]
    assert states[first.model_id] == {"param_count": 5 * 8 + 8}  # its shape stays (None, 8)
    assert states[ed.wires[0].model_id] == {"shape": "(None, 5)"}
    assert ed.wires[0].shape == "(None, 5)" and first.param_count == 48  # Python sees them too
    assert states[x.model_id] == {"output_shape": "(None, 5)"}
    assert len(states) == 3  # only what changed
    # an edit that changes every shape downstream: still one message
    del sent[:]
    ed["d0"].units = 6
    custom = [data["content"] for cid, method, data in sent if method == "custom"]
    assert len(custom) == 1 and len(custom[0]["states"]) == 3  # d0 (shape, count), its wire, d1
    assert custom[0]["states"][ed["d0"].model_id] == {"output_shape": "(None, 6)",
                                                       "param_count": 36}


def test_inspection_sends_pending_previews_and_makes_those_asked_for(monkeypatch):
    """``inspect`` sends every card a pending preview (shape, dtype, kind) in one message; the
    view's ``previews`` request makes the asked cards' statistics and pictures, in one message;
    a read in Python makes all the others at once, the same values as a preview made directly."""
    import comm
    import numpy as np

    from nncards_widget.inspection import preview

    monkeypatch.setattr(comm, "create_comm", _RecordingComm)
    sent = _RecordingComm.SENT
    ed = NetworkEditor()
    prev = ed.add("input", name="x", shape=[3])
    for _ in range(12):
        d = ed.add("Dense", units=4)
        ed.connect(prev, d)
        prev = d
    ed.connect(prev, ed.add("output", name="y"))
    ed.build()

    def custom():
        out = [data["content"] for _, method, data in sent if method == "custom"]
        del sent[:]
        return out

    del sent[:]
    ed.inspect(np.ones((2, 3), "float32"))
    widgets = {w.model_id for w in ed.cards + ed.wires}
    assert not [s for s in sent if s[1] == "update" and s[0] in widgets]
    msgs = custom()
    assert len(msgs) == 1 and set(msgs[0]["states"]) == {c.model_id for c in ed.cards}
    pending = msgs[0]["states"][ed.cards[5].model_id]["preview"]
    assert pending == {"shape": [2, 4], "dtype": "float32", "kind": "histogram", "pending": True}

    asked = [ed.cards[3], ed.cards[5]]
    reply = ed._handle_view_request(ed, {"request_id": 1, "type": "previews",
                                         "cards": [c.uid for c in asked] + ["card-gone"]}, None)
    assert reply["ok"] and reply["result"] == {"made": 2}
    states = [m for m in custom() if m["type"] == "states"]
    assert len(states) == 1 and set(states[0]["states"]) == {c.model_id for c in asked}
    made = states[0]["states"][asked[1].model_id]["preview"]
    assert made["image"].startswith("data:image/png;base64,") and "pending" not in made
    assert made == preview(ed.outputs[asked[1].name])
    # asked again: nothing left to make
    reply = ed._handle_view_request(ed, {"request_id": 2, "type": "previews",
                                         "cards": [asked[0].uid]}, None)
    assert reply["result"] == {"made": 0} and not [m for m in custom() if m["type"] == "states"]

    # Python reads the full preview; the first read makes every remaining one, in one message
    assert prev.preview == preview(ed.outputs[prev.name]) and prev.preview["shape"] == [2, 4]
    msgs = custom()
    assert len(msgs) == 1 and len(msgs[0]["states"]) == 14 - 2
    assert all("pending" not in c.preview for c in ed.cards) and not custom()
