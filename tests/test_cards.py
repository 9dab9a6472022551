"""Card widget models: typed, validated traits; ports by label or Python name; wire rules."""

from __future__ import annotations

import ipycytoscape
import numpy as np
import pytest
from traitlets import TraitError

from nncards_widget import Card, ConnectionRefused, NetworkEditor, Wire, catalog
from nncards_widget.cards import PortRef, card_class


def test_every_card_is_an_ipycytoscape_node_with_synced_param_traits():
    for spec in catalog.cards():
        cls = card_class(spec.id)
        assert issubclass(cls, ipycytoscape.Node) and issubclass(cls, Card)
        assert card_class(spec.id) is cls and card_class(spec) is cls  # made once
        if spec.keras_class:  # a Keras class name finds a card of that class
            assert card_class(spec.keras_class).spec.keras_class == spec.keras_class
        traits = cls.class_traits(sync=True)
        for p in spec.params:
            assert p.name in traits, (spec.id, p.name)
            default = getattr(cls(), p.name) if p.name != "name" else None
            if p.name != "name":
                assert default == p.default, (spec.id, p.name)


def test_editor_is_a_cytoscape_widget_holding_nodes_and_edges(editor):
    assert isinstance(editor, ipycytoscape.CytoscapeWidget)
    x = editor.add("input", name="x", shape=[3])
    d = editor.add("Dense", units=2)
    w = editor.connect(x, d)
    assert x in editor.graph.nodes and d in editor.graph.nodes
    assert isinstance(w, Wire) and isinstance(w, ipycytoscape.Edge) and w in editor.graph.edges
    assert (w.data["source"], w.data["target"]) == (x.uid, d.uid)


def test_bad_integer_names_card_parameter_and_what_is_allowed(editor):
    d = editor.add("Dense", name="hidden", units=8)
    with pytest.raises(TraitError) as err:
        d.units = 0
    msg = str(err.value)
    assert "'Units' (units)" in msg and "'hidden'" in msg and "Dense layer" in msg
    assert ">= 1" in msg and "received 0" in msg
    assert d.units == 8  # unchanged
    for bad in ("8", 2.5, True, [8]):
        with pytest.raises(TraitError, match="'Units'"):
            d.units = bad
    d.units = None  # a required value may be left empty while editing; build() asks for it
    d.units = 16.0  # an integral float (from JSON) is taken as the integer
    assert d.units == 16 and type(d.units) is int


def test_bad_choice_names_card_parameter_and_the_choices(editor):
    d = editor.add("Dense", name="head", units=1)
    with pytest.raises(TraitError) as err:
        d.activation = "nope"
    msg = str(err.value)
    assert "'Activation' (activation)" in msg and "'head'" in msg
    assert "'relu'" in msg and "'sigmoid'" in msg and "'nope'" in msg
    d.activation = "sigmoid"
    d.activation = None  # optional: Keras' default (linear)
    assert d.activation is None


def test_bad_value_at_add_time_is_refused_too(editor):
    with pytest.raises(TraitError, match="'Output dim'.*>= 1"):
        editor.add("Embedding", input_dim=10, output_dim=-3)
    with pytest.raises(TypeError, match="no parameter 'unitz'.*units"):
        editor.add("Dense", unitz=3)
    assert editor.cards == []


def test_list_params_are_checked_for_length_and_items(editor):
    c = editor.add("Conv2D", filters=4, kernel_size=3)
    assert c.kernel_size == [3, 3]  # an integer for a pair, as Keras takes it
    c.kernel_size = (5, 1)
    assert c.kernel_size == [5, 1]
    with pytest.raises(TraitError, match=r"'Kernel size'.*a list of 2 integers.*\[1, 2, 3\]"):
        c.kernel_size = [1, 2, 3]
    with pytest.raises(TraitError, match="'Strides'.*>= 1"):
        c.strides = [0, 1]
    with pytest.raises(TraitError, match="'Padding'.*'valid', 'same'"):
        c.padding = "causal"


def test_float_bounds_and_booleans(editor):
    drop = editor.add("Dropout", rate=0.5)
    with pytest.raises(TraitError, match=r"'Rate'.*<= 1"):
        drop.rate = 1.5
    emb = editor.add("Embedding", input_dim=5, output_dim=2)
    with pytest.raises(TraitError, match="'Mask zero'.*True or False"):
        emb.mask_zero = "yes"
    emb.input_length = None
    emb.input_length = 12
    assert emb.input_length == 12


def test_card_names_are_validated(editor):
    d = editor.add("Dense", units=1)
    with pytest.raises(TraitError, match="Invalid name"):
        d.name = ""
    with pytest.raises(TraitError, match="without '/'"):
        d.name = "a/b"


@pytest.mark.parametrize("bad", ["hidden layer", "a/b", "_x", "-x", "x\\y", "dénse", "x\ny"])
def test_card_names_must_be_keras_layer_names(editor, bad):
    """A card's name is its Keras layer's name: one Keras cannot use is refused where it is set
    (add, rename, view request), with the rule and a name that would do."""
    d = editor.add("Dense", units=1)
    with pytest.raises(TraitError, match=r"Invalid name for a Dense layer card: a Keras layer "
                                         r"name holds only letters.*\(try '"):
        d.name = bad
    with pytest.raises(TraitError, match="Keras layer name"):
        editor.add("Dense", units=1, name=bad)
    reply = editor._handle_view_request(editor, {"request_id": 1, "type": "set_param",
                                                 "uid": d.uid, "name": "name", "value": bad},
                                        None)
    assert not reply["ok"] and "Keras layer name" in reply["error"]
    assert d.name == "dense" and [c.name for c in editor.cards] == ["dense"]


def test_keras_can_fit_every_name_a_card_accepts(editor):
    """'hidden layer' built, then failed in fit as a TensorFlow scope name and left a name scope
    open for every later model; such names are refused, and the names accepted (with '.', '-',
    digits first) fit and leave no scope open."""
    from keras.src.backend.common import global_state

    with pytest.raises(TraitError):
        editor.add("Dense", units=2, name="hidden layer")
    x = editor.add("input", name="x.in", shape=[3])
    d = editor.add("Dense", units=2, name="1st-hidden.layer")
    editor.connect(x, d)
    editor.connect(d, editor.add("output", name="y-out"))
    model = editor.build()
    model.compile("sgd", "mse")
    model.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)
    assert model.predict(np.zeros((2, 3)), verbose=0).shape == (2, 2)
    assert not global_state.get_global_attribute("name_scope_stack")
    with pytest.raises(Exception):  # noqa: B017 (Keras or TensorFlow: a failing call) leaves
        # no name scope open either
        model.fit(np.zeros((2, 5)), np.zeros((2, 2)), verbose=0)
    assert not global_state.get_global_attribute("name_scope_stack")
    model.fit(np.zeros((4, 3)), np.zeros((4, 2)), verbose=0)


def test_new_cards_get_unique_names(editor):
    a, b = editor.add("Dense", units=1), editor.add("Dense", units=1)
    assert a.name == "dense" and b.name == "dense_1"


def test_ports_by_label_or_python_name(editor):
    emb = editor.add("Embedding", input_dim=5, output_dim=2)
    init = editor.add("RandomNormal", seed=1)
    for key in ("Embeddings initializer", "embeddings_initializer"):
        ref = emb[key]
        assert isinstance(ref, PortRef) and ref.card is emb
    w = editor.connect(init["Initializer instance"], emb["embeddings_initializer"])
    assert (w.source_port, w.target_port) == ("initializer_instance", "embeddings_initializer")
    editor.disconnect(w)
    w = editor.connect(init["initializer_instance"], emb["Embeddings initializer"])
    assert w.target_port == "embeddings_initializer"
    with pytest.raises(KeyError, match="no port 'Kernel initializer'.*'Embeddings initializer'"):
        emb["Kernel initializer"]


def test_connect_without_ports_uses_first_tensor_output_and_first_free_input(editor):
    a, b = editor.add("input", name="a", shape=[3]), editor.add("input", name="b", shape=[3])
    add = editor.add("mergeLayer2_Add")
    w1, w2 = editor.connect(a, add), editor.connect(b, add)
    assert (w1.target_port, w2.target_port) == ("input_a", "input_b")
    # A port card's only output goes to the first free port of its type.
    d = editor.add("Dense", units=2)
    w3 = editor.connect(editor.add("Zeros"), d)
    assert w3.target_port == "kernel_initializer"
    w4 = editor.connect(editor.add("Ones"), d)
    assert w4.target_port == "bias_initializer"


def test_tensor_into_initializer_port_is_refused_naming_both_ends(editor):
    x = editor.add("input", name="x", shape=[3])
    d = editor.add("Dense", name="hidden", units=2)
    with pytest.raises(ConnectionRefused) as err:
        editor.connect(x["Data"], d["Kernel initializer"])
    msg = str(err.value)
    assert "'x'" in msg and "'Data'" in msg and "'hidden'" in msg and "'Kernel initializer'" in msg
    assert "Tensor" in msg and "Initializer" in msg
    assert editor.wires == []


def test_layer_instance_only_into_layer_ports(editor):
    lstm = editor.add("LSTM", units=2)
    dense = editor.add("Dense", name="d", units=2)
    with pytest.raises(ConnectionRefused,
                       match="'lstm'.*'Layer instance' to 'd'.*'Input'.*Layer.*Tensor"):
        editor.connect(lstm["Layer instance"], dense["Input"])
    bi = editor.add("Bidirectional")
    editor.connect(lstm["Layer instance"], bi["Layer"])


def test_second_wire_into_a_single_input_is_refused(editor):
    a, b = editor.add("input", name="a", shape=[3]), editor.add("input", name="b", shape=[3])
    d = editor.add("Dense", name="hidden", units=2)
    editor.connect(a, d)
    with pytest.raises(ConnectionRefused) as err:
        editor.connect(b["Data"], d["Input"])
    msg = str(err.value)
    assert "'b'" in msg and "'Data'" in msg and "'hidden'" in msg and "'Input'" in msg
    assert "already has a wire" in msg and "'a'" in msg
    # Without port names, the message says every input of that type is taken.
    with pytest.raises(ConnectionRefused, match="'b'.*'hidden'.*every Tensor input is taken"):
        editor.connect(b, d)
    assert len(editor.wires) == 1


def test_a_wire_closing_a_cycle_is_refused(editor):
    d1 = editor.add("Dense", name="first", units=2)
    d2 = editor.add("Dense", name="second", units=2)
    add = editor.add("mergeLayer2_Add", name="sum")
    editor.connect(d1, add)
    editor.connect(add, d2)
    with pytest.raises(ConnectionRefused) as err:
        editor.connect(d2["Output"], add["Input B"])
    msg = str(err.value)
    assert "'second'" in msg and "'Output'" in msg and "'sum'" in msg and "'Input B'" in msg
    assert "cycle" in msg
    with pytest.raises(ConnectionRefused, match="cannot feed itself"):
        editor.connect(d1["Output"], d1["Input"])
    assert len(editor.wires) == 2


def test_param_rows_are_not_ports(editor):
    x = editor.add("input", name="x", shape=[3])
    d = editor.add("Dense", units=2)
    with pytest.raises(ConnectionRefused, match="'Units' is a parameter"):
        editor.connect(x["Data"], PortRef(d, "Units"))  # what a view could send


def test_cards_from_another_editor_are_refused(editor):
    other = NetworkEditor()
    x = other.add("input", name="x", shape=[3])
    d = editor.add("Dense", units=2)
    with pytest.raises((ConnectionRefused, KeyError)):
        editor.connect(x, d)


def test_params_and_repr(editor):
    d = editor.add("Dense", name="out", units=3, activation="softmax")
    shown = {"units": 3, "activation": "softmax", "use_bias": True, "trainable": True,
             "dtype": None}
    assert {k: d.params[k] for k in shown} == shown  # (the catalogue may add parameters)
    assert list(d.params) == d.param_names()
    assert "out" in repr(d) and "units=3" in repr(d)
    x = editor.add("input", name="x", shape=[2])
    w = editor.connect(x, d)
    assert repr(w) == "<wire x.Data -> out.Input>"


def test_edits_notify_listeners(editor):
    events = []
    editor.graph_model.on_change(events.append)
    d = editor.add("Dense", units=3)
    d.units = 5
    assert [e.kind for e in events] == ["add", "param"]
    assert (events[1].uid, events[1].name, events[1].old, events[1].new) == (d.uid, "units", 3, 5)
    assert editor.graph_model.cards[d.uid].params["units"] == 5


def test_a_card_or_wire_returned_by_a_cell_shows_as_text_not_as_a_widget():
    """Cards and wires are drawn inside the editor; shown alone they are plain text."""
    from nncards_widget import NetworkEditor

    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", units=2)
    wire = ed.connect(x, d)
    for obj in (d, wire):
        bundle = obj._repr_mimebundle_()
        assert list(bundle) == ["text/plain"]
    assert "Dense layer card 'dense'" in d._repr_mimebundle_()["text/plain"]
    assert "x.Data -> dense.Input" in wire._repr_mimebundle_()["text/plain"]


def test_positions_are_checked(editor):
    d = editor.add("Dense", name="d", units=1, position={"x": 10, "y": 20})
    assert d.position == {"x": 10.0, "y": 20.0}
    for bad in ({"x": "1", "y": 2}, {"x": 1}, [1, 2], {"x": float("nan"), "y": 0},
                {"x": 10 ** 400, "y": 0}, {"x": True, "y": 0}):
        with pytest.raises(TraitError, match=r"position for card 'd' \(Dense layer\)"):
            d.position = bad
    assert d.position == {"x": 10.0, "y": 20.0}
    assert editor.graph_model.cards[d.uid].position == {"x": 10.0, "y": 20.0}
    editor.add("Dense", units=1)  # placement still works
