"""The graph model: adjacency, order, events, copies, and the wiring rules defined once."""

from __future__ import annotations

import pytest

from nncards_widget import ConnectionRefused, NetworkEditor, catalog
from nncards_widget.graph import (CardData, Graph, WireData, check_wire, default_ports,
                                  used_only_as_layer)


def _chain(n):
    g = Graph()
    g.add_card(CardData("in", "input", "x", {"shape": [3]}))
    prev = "in"
    for i in range(n):
        g.add_card(CardData(f"d{i}", "layer_Dense", f"d{i}", {"units": 2}))
        g.add_wire(WireData(f"w{i}", prev, "output" if i else "data", f"d{i}", "input"))
        prev = f"d{i}"
    return g


def test_wires_at_a_card_come_from_its_adjacency_in_wire_order():
    g = _chain(3)
    assert [w.id for w in g.wires_into("d1")] == ["w1"]
    assert [w.id for w in g.wires_from("d1")] == ["w2"]
    assert [w.id for w in g.wires_at("d1", "input")] == ["w1"]
    assert g.wires_at("d1", "kernel_initializer") == []
    g.remove_wire("w1")
    assert g.wires_into("d1") == [] and g.wires_from("d0") == []


def test_reachability_and_topological_order():
    g = _chain(3)
    assert g.upstream("d1") == {"in", "d0", "d1"}
    assert g.downstream(["d1"]) == {"d1", "d2"}
    # cards added out of order still come out wired forward; ties keep insertion order
    g.add_card(CardData("early", "input", "early", {"shape": [3]}))
    g.add_card(CardData("late", "layer_Dense", "late", {"units": 1}))
    g.add_wire(WireData("w9", "d2", "output", "late", "input"))
    order = g.topological_order()
    assert order.index("d2") < order.index("late")
    assert order == ["in", "early", "d0", "d1", "d2", "late"]
    assert g.topological_order(["late", "d1", "d2"]) == ["d1", "d2", "late"]


def test_every_change_emits_one_event_and_bumps_the_version():
    g = _chain(1)
    events = []
    g.on_change(events.append)
    v = g.version
    g.set_param("d0", "units", 5)
    g.set_param("d0", "units", 5)  # the same value: no change, no event
    g.move("d0", {"x": 1.0, "y": 2.0})
    g.remove_card("d0")  # its wire first, then the card
    assert [e.kind for e in events] == ["param", "move", "disconnect", "remove"]
    assert (events[0].old, events[0].new) == (2, 5)
    assert events[3].old.params == {"units": 5} and events[3].index == 1
    assert g.version == v + 4


def test_a_copy_is_independent():
    g = _chain(2)
    c = g.copy()
    c.set_param("d0", "units", 9)
    c.remove_card("d1")
    assert g.cards["d0"].params == {"units": 2} and "d1" in g.cards
    assert [w.id for w in g.wires_into("d1")] == ["w1"]
    assert [w.id for w in c.wires_from("d0")] == []


def test_mutations_keep_the_graph_consistent():
    g = _chain(1)
    with pytest.raises(ValueError, match="'d0' is already"):
        g.add_card(CardData("d0", "layer_Dense", "again"))
    with pytest.raises(KeyError, match="'ghost'"):
        g.add_wire(WireData("w5", "ghost", "output", "d0", "input"))
    with pytest.raises(ValueError, match="'w0' is already"):
        g.add_wire(WireData("w0", "in", "data", "d0", "input"))


def test_a_tensor_port_of_multiplicity_n_takes_several_wires_in_order():
    spec = next((s for s in catalog.cards() for p in s.ports
                 if p.multiplicity == "n" and p.type == catalog.TENSOR and s.role == "merge"),
                None)
    assert spec is not None, "the catalogue has a merge card whose Tensor port takes n wires"
    port = next(p for p in spec.ports if p.multiplicity == "n" and p.type == catalog.TENSOR)
    ed = NetworkEditor()
    xs = [ed.add("input", name=f"x{i}", shape=[4]) for i in range(3)]
    merge = ed.add(spec.id)
    wires = [ed.connect(x, merge[port.name]) for x in xs]
    assert [w.target_port for w in wires] == [port.name] * 3
    assert [w.source for w in ed.graph_model.wires_at(merge.uid, port.name)] == [
        x.uid for x in xs]
    # ... while a single input still takes one wire
    d = ed.add("Dense", name="d", units=2)
    ed.connect(xs[0], d)
    with pytest.raises(ConnectionRefused, match="already has a wire"):
        check_wire(ed.graph_model, xs[1].uid, "data", d.uid, "input")


def test_default_ports_fill_in_whichever_port_is_missing():
    ed = NetworkEditor()
    lstm = ed.add("LSTM", units=2)
    bi = ed.add("Bidirectional")
    g = ed.graph_model
    # the named target port decides which output: the Layer instance
    assert default_ports(g, lstm.uid, bi.uid, None, "layer") == ("layer_instance", "layer")
    # the named source port decides which input
    assert default_ports(g, lstm.uid, bi.uid, "layer_instance", None) == (
        "layer_instance", "layer")
    w = ed.connect(lstm, bi["Layer"])  # no source port named: the matching one is chosen
    assert w.source_port == "layer_instance"
    with pytest.raises(ConnectionRefused, match="every Layer input is taken"):
        default_ports(g, lstm.uid, bi.uid, "layer_instance", None)


def test_a_layer_used_only_inside_a_wrapper():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[5, 3])
    lstm = ed.add("LSTM", units=2)
    bi = ed.add("Bidirectional")
    g = ed.graph_model
    assert not used_only_as_layer(g, lstm.uid)  # not wired at all
    ed.connect(lstm["Layer instance"], bi["Layer"])
    assert used_only_as_layer(g, lstm.uid)
    ed.connect(lstm, ed.add("output", name="y"))  # its tensor is used too
    assert not used_only_as_layer(g, lstm.uid)
    assert not used_only_as_layer(g, x.uid)
