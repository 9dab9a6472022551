"""Nested models: a keras.Model used as a layer is one card holding its inner graph, opened in
Python with ``card.inner``, built as a sub-model, kept by to_json / from_json."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from nncards_widget import NetworkEditor
from nncards_widget.errors import GraphFileError


def _model():
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    s = keras.layers.Concatenate(name="join")([a, b])
    inner = keras.Model([a, b], [keras.layers.Dense(3, name="first")(s),
                                 keras.layers.Dense(2, name="second")(s)], name="twin")
    head = keras.Sequential([keras.Input((3,), name="h_in"),
                             keras.layers.Dense(5, activation="relu", name="h_dense")],
                            name="head")
    x, y = keras.Input((4,), name="x"), keras.Input((4,), name="y")
    first, second = inner([x, y])
    out = keras.layers.Concatenate(name="out")([head(first), second])
    return keras.Model([x, y], out)


def _sample():
    rng = np.random.default_rng(1)
    return [rng.random((3, 4)).astype("float32"), rng.random((3, 4)).astype("float32")]


def test_a_nested_model_is_one_card_that_opens():
    model = _model()
    ed = NetworkEditor.from_model(model)
    twin = ed["twin"]
    assert [p.label for p in twin.spec.ports if p.type.endswith("Tensor")] == ["a", "b"]
    assert [o.label for o in twin.spec.outputs if o.type.endswith("Tensor")] == \
        ["first", "second"]
    inner = twin.inner
    assert isinstance(inner, NetworkEditor)
    assert sorted(c.name for c in inner.cards if c.card_id not in ("input", "output")) == \
        ["first", "join", "second"]
    assert inner.build().count_params() == model.get_layer("twin").count_params()
    assert [c.name for c in ed["head"].inner.cards] == ["h_in", "h_dense", "h_dense"]


def test_nested_models_build_as_sub_models_with_their_weights():
    model = _model()
    built = NetworkEditor.from_model(model).build()
    assert sorted(layer.name for layer in built.layers) == \
        sorted(layer.name for layer in model.layers)
    assert isinstance(built.get_layer("twin"), keras.Model)
    assert built.count_params() == model.count_params()
    np.testing.assert_allclose(built.predict(_sample(), verbose=0),
                               model.predict(_sample(), verbose=0), rtol=1e-5, atol=1e-6)


def test_saved_graph_keeps_the_inner_graph():
    model = _model()
    ed = NetworkEditor.from_model(model)
    doc = json.loads(ed.to_json())
    assert doc["schema"] == 2
    entry = next(c for c in doc["cards"] if c["name"] == "twin")
    assert entry["card_id"] == 'model:[["a", "b"], ["first", "second"]]'
    assert {c["name"] for c in entry["params"]["graph"]["cards"]} == {"a", "b", "join", "first",
                                                                      "second"}
    again = NetworkEditor.from_json(json.dumps(doc))
    assert again.to_json() == ed.to_json()
    rebuilt = again.build()
    assert rebuilt.count_params() == model.count_params()
    assert rebuilt.output_shape == model.output_shape


def test_an_inner_graph_that_does_not_match_its_card_is_refused():
    doc = json.loads(NetworkEditor.from_model(_model()).to_json())
    entry = next(c for c in doc["cards"] if c["name"] == "twin")
    inner_input = next(c for c in entry["params"]["graph"]["cards"] if c["name"] == "a")
    inner_input["name"] = inner_input["params"]["name"] = "renamed"
    with pytest.raises(GraphFileError, match=r"'twin'.*inner graph's Input and Output cards"):
        NetworkEditor.from_json(json.dumps(doc))
    entry["params"]["graph"] = {"format": "nncards_widget.graph", "schema": 1,
                                "cards": [{"uid": "c", "card_id": "no_such_card", "name": "z"}]}
    with pytest.raises(GraphFileError, match="no_such_card"):
        NetworkEditor.from_json(json.dumps(doc))


def test_a_nested_card_is_a_group_the_canvas_can_expand_with_its_inner_shapes():
    model = _model()
    ed = NetworkEditor.from_model(model)
    twin = ed["twin"]
    assert twin.expanded is False and twin.inner_shapes == {}  # nothing computed until opened
    twin.expanded = True  # what the canvas's toggle sets (a synced trait)
    inner = {c.name: c.uid for c in twin.inner.cards if c.card_id != "output"}
    shapes = twin.inner_shapes
    assert shapes[inner["join"]]["output_shape"] == "(None, 8)"
    assert shapes[inner["first"]]["output_shape"] == "(None, 3)"
    assert shapes[inner["first"]]["param_count"] == \
        model.get_layer("twin").get_layer("first").count_params()
    assert shapes[inner["second"]]["ports"] == {"output": "(None, 2)"}
    assert all(s["error"] == "" for s in shapes.values())
    assert twin.get_state()["expanded"] is True
    # view state: not a change of the network (no undo step, not saved)
    assert ed._history.state()["undo_count"] == 0
    assert "expanded" not in ed.to_json()
    # a new inner graph while open: its shapes follow
    edited = twin.inner
    edited["first"].units = 5
    twin.graph = edited.graph_model
    assert twin.inner_shapes[inner["first"]]["output_shape"] == "(None, 5)"
    assert ed["twin"].output_shape is not None


def test_inner_shapes_name_the_inner_card_that_cannot_be_built():
    doc = json.loads(NetworkEditor.from_model(_model()).to_json())
    entry = next(c for c in doc["cards"] if c["name"] == "head")
    dense = next(c for c in entry["params"]["graph"]["cards"] if c["name"] == "h_dense")
    dense["params"]["units"] = 10**12
    from nncards_widget.custom import inner_shapes

    shapes = inner_shapes(entry["params"]["graph"])
    assert shapes[dense["uid"]]["output_shape"] == "(None, 1000000000000)"
    assert shapes[dense["uid"]]["error"] == ""


def test_the_editor_sends_the_specs_of_the_cards_inside_nested_models():
    ed = NetworkEditor.from_model(_model())
    assert {"layer_Concatenate", "layer_Dense", "input", "output"} <= set(ed.card_specs)
    assert ed.card_specs["layer_Dense"]["title"] == "Dense layer"
