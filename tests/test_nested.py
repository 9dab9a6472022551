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
