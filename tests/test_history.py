"""The undo/redo history lives in the kernel: Python edits and view requests share it."""

from __future__ import annotations

import itertools
import json

import pytest

from nncards_widget import GraphFileError, NetworkEditor
from nncards_widget.errors import HistoryError
from nncards_widget.graph import CardData, Graph, WireData
from nncards_widget.history import History

_ids = itertools.count(1)


def request(ed, type_, **fields):
    """Send one request as a view would; returns the kernel's reply."""
    return ed._handle_view_request(ed, {"request_id": next(_ids), "type": type_, **fields}, None)


def _net():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", units=8, activation="relu")
    ed.connect(x, d)
    y = ed.add("output", name="y")
    ed.connect(d, y)
    return ed, x, d, y


def _view_lists(ed):
    """What the view receives: the node and edge lists of the ipycytoscape graph."""
    state = ed.graph.get_state()
    return state["nodes"], state["edges"]


def test_python_edits_are_undone_one_call_at_a_time_with_labels():
    ed = NetworkEditor()
    assert ed.undo_state == {"undo": "", "redo": "", "undo_count": 0, "redo_count": 0}
    saved = [ed.to_json()]
    x = ed.add("input", name="x", shape=[4])
    saved.append(ed.to_json())
    d = ed.add("Dense", units=8)
    saved.append(ed.to_json())
    ed.connect(x, d)
    saved.append(ed.to_json())
    d.units = 64
    saved.append(ed.to_json())
    assert ed.undo_state["undo"] == "Set Units of 'dense' to 64"
    assert ed.undo_state["undo_count"] == 4

    labels = [ed.undo() for _ in range(4)]
    assert labels == ["Set Units of 'dense' to 64", "Connect 'x' -> 'dense'",
                      "Add Dense layer 'dense'", "Add Input 'x'"]
    assert ed.to_json() == saved[0] and ed.cards == [] and ed.wires == []
    assert ed.undo_state["undo_count"] == 0 and ed.undo_state["redo_count"] == 4
    with pytest.raises(HistoryError, match="Nothing to undo"):
        ed.undo()
    for i in range(1, 5):
        ed.redo()
        assert ed.to_json() == saved[i]
    with pytest.raises(HistoryError, match="Nothing to redo"):
        ed.redo()
    assert ed["dense"] is d and d.units == 64  # the user's card object comes back


def test_undo_of_a_param_edit_shows_on_the_card_and_its_shape():
    ed, x, d, y = _net()
    assert d.output_shape == "(None, 8)"
    d.units = 3
    assert d.output_shape == "(None, 3)"
    ed.undo()
    assert d.units == 8  # the same card object is updated
    assert d.output_shape == "(None, 8)" and y.output_shape == "(None, 8)"
    ed.redo()
    assert d.units == 3 and y.output_shape == "(None, 3)"


def test_undo_of_a_removed_card_restores_uid_params_position_and_wires():
    ed, x, d, y = _net()
    d.position = {"x": 321.0, "y": 654.0}
    before = ed.to_json()
    nodes, edges = _view_lists(ed)
    uid = d.uid
    wires = ed.wires
    ed.remove(d)
    assert ed.undo_state["undo"] == "Delete Dense layer 'dense'"
    assert [c.name for c in ed.cards] == ["x", "y"] and ed.wires == []
    assert ed.undo() == "Delete Dense layer 'dense'"
    assert ed.to_json() == before  # same uid, parameters, position, wires, and order
    back = ed["dense"]
    assert back.uid == uid and back.units == 8 and back.activation == "relu"
    assert back is d and ed.wires == wires  # the objects the user holds are back too
    assert back.position == {"x": 321.0, "y": 654.0}
    assert [(w.source_card.name, w.target_card.name) for w in ed.wires] == [("x", "dense"),
                                                                             ("dense", "y")]
    assert len(_view_lists(ed)[0]) == len(nodes) and len(_view_lists(ed)[1]) == len(edges)
    assert ed.build().get_layer("dense").units == 8


def test_undo_keeps_the_order_of_cards_and_wires():
    ed = NetworkEditor()
    a = ed.add("input", name="a", shape=[3])
    b = ed.add("input", name="b", shape=[3])
    add = ed.add("Add")
    ed.connect(a, add)
    ed.connect(b, add)
    ed.connect(add, ed.add("output", name="y"))
    before = ed.to_json()
    ed.remove(a)  # the first card and the first wire
    ed.undo()
    assert ed.to_json() == before
    assert [c.name for c in ed.cards] == ["a", "b", "add", "y"]
    nodes, edges = _view_lists(ed)
    assert nodes == [f"IPY_MODEL_{c.model_id}" for c in ed.cards]
    assert edges == [f"IPY_MODEL_{w.model_id}" for w in ed.wires]


def test_view_requests_are_undone_through_requests():
    ed, x, d, y = _net()
    start = ed.to_json()
    n = ed.undo_state["undo_count"]
    assert request(ed, "set_param", uid=d.uid, name="units", value=16)["ok"]
    assert request(ed, "move", positions={x.uid: {"x": 10, "y": 20}, d.uid: {"x": 30, "y": 40},
                                          y.uid: {"x": 50, "y": 60}})["ok"]
    assert ed.undo_state["undo"] == "Move 3 cards"
    assert request(ed, "remove", cards=[x.uid, y.uid])["ok"]
    assert ed.undo_state["undo"] == "Delete 2 cards"
    assert ed.undo_state["undo_count"] == n + 3
    reply = request(ed, "undo")
    assert reply["ok"] and reply["result"] == {"label": "Delete 2 cards"}
    assert [c.name for c in ed.cards] == ["x", "dense", "y"] and len(ed.wires) == 2
    assert request(ed, "undo")["result"] == {"label": "Move 3 cards"}
    assert x.position == ed["x"].position
    assert request(ed, "undo")["result"]["label"] == "Set Units of 'dense' to 16"
    assert ed.to_json() == start and d.units == 8
    reply = request(ed, "redo")
    assert reply["ok"] and reply["result"]["label"] == "Set Units of 'dense' to 16"
    assert d.units == 16


def test_a_new_edit_clears_redo():
    ed, x, d, y = _net()
    d.units = 2
    ed.undo()
    assert ed.undo_state["redo"] == "Set Units of 'dense' to 2" and ed.undo_state["redo_count"] == 1
    d.activation = "tanh"
    assert ed.undo_state["redo"] == "" and ed.undo_state["redo_count"] == 0
    reply = request(ed, "redo")
    assert not reply["ok"] and reply["error"] == "Nothing to redo"


def test_nothing_to_undo_is_refused():
    ed = NetworkEditor()
    reply = request(ed, "undo")
    assert not reply["ok"] and reply["error"] == "Nothing to undo"


def test_two_views_share_one_history_in_the_kernel():
    """A view's edit can be undone from another view (or from Python), and every view gets the
    same synced ``undo_state`` trait: the history is the editor's, not a view's."""
    ed, x, d, y = _net()
    # view A connects a new card; view B undoes it; Python redoes it
    assert request(ed, "add", card_id="layer_Dropout", params={"rate": 0.5})["ok"]
    assert ed.get_state()["undo_state"]["undo"] == "Add Dropout layer 'dropout'"
    reply_b = request(ed, "undo")
    assert reply_b["ok"] and "dropout" not in [c.name for c in ed.cards]
    assert ed.get_state()["undo_state"]["redo"] == "Add Dropout layer 'dropout'"
    assert ed.redo() == "Add Dropout layer 'dropout'"
    assert ed["dropout"].rate == 0.5
    # a page reload makes a new view of the same model: the state it receives has the history
    assert ed.get_state()["undo_state"] == ed.undo_state


def test_a_refused_request_changes_nothing_and_makes_no_entry():
    ed, x, d, y = _net()
    before, history = ed.to_json(), dict(ed.undo_state)
    reply = request(ed, "move", positions={x.uid: {"x": 1, "y": 2}, "nope": {"x": 3, "y": 4}})
    assert not reply["ok"] and "'nope'" in reply["error"]
    reply = request(ed, "remove", cards=[d.uid], wires=["no-such-wire"])
    assert not reply["ok"] and "no-such-wire" in reply["error"]
    reply = request(ed, "set_param", uid=d.uid, name="units", value=-1)
    assert not reply["ok"] and "Units" in reply["error"]
    assert ed.to_json() == before and ed.undo_state == history


def test_a_failing_python_call_changes_nothing():
    ed, x, d, y = _net()
    before, count = ed.to_json(), ed.undo_state["undo_count"]
    with pytest.raises(GraphFileError, match="unknown card id 'nope'"):
        ed.load_json(json.dumps({"format": "nncards_widget.graph", "schema": 1,
                                 "cards": [{"uid": "a", "card_id": "nope", "name": "a"}]}))
    assert ed.to_json() == before and ed.undo_state["undo_count"] == count


def test_a_step_that_fails_half_way_is_rolled_back():
    """What makes refused calls and requests change nothing: a group that raises is undone."""
    g = Graph()
    history = History(g)
    g.add_card(CardData("a", "input", "x", {"shape": [3]}))
    with pytest.raises(RuntimeError, match="half way"):
        with history.group("Two things"):
            g.add_card(CardData("b", "layer_Dense", "d", {"units": 2}))
            g.add_wire(WireData("w", "a", "data", "b", "input"))
            g.set_param("a", "shape", [4])
            raise RuntimeError("half way")
    assert list(g.cards) == ["a"] and g.wires == {} and g.cards["a"].params == {"shape": [3]}
    assert history.labels() == (["Add Input 'x'"], [])


def test_loading_is_one_step_and_a_loaded_editor_starts_with_no_history():
    ed, x, d, y = _net()
    text = ed.to_json()
    other = NetworkEditor.from_json(text)
    assert other.undo_state["undo_count"] == 0
    other.add("Dense", units=1)
    other.load_json(text)
    assert other.undo_state["undo"] == "Load graph"
    other.undo()
    assert [c.name for c in other.cards] == ["x", "dense", "y", "dense_1"]
