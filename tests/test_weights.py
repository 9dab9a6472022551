"""Weights are made only when a model is built: live shapes build layers without allocating
their variables, and build() refuses absurd sizes with a BuildError naming the card."""

from __future__ import annotations

import resource
import time

import keras
import numpy as np
import pytest

from nncards_widget import BuildError, NetworkEditor
from nncards_widget.weights import MAX_PARAMETERS, is_uninitialized


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _huge_graph() -> str:
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[20])
    huge = ed.add("Dense", name="huge", units=10**9)
    ed.connect(x, huge)
    ed.connect(huge, ed.add("output", name="y"))
    return ed.to_json()


def test_a_graph_with_an_enormous_layer_loads_with_shapes_and_no_memory():
    text = _huge_graph()
    peak = _rss_mb()
    t = time.perf_counter()
    ed = NetworkEditor.from_json(text)
    elapsed = time.perf_counter() - t
    huge = ed["huge"]
    assert huge.output_shape == "(None, 1000000000)" and huge.error == ""
    assert huge.param_count == 21 * 10**9 and ed.total_params == 21 * 10**9
    assert elapsed < 5
    assert _rss_mb() - peak < 300  # 84 GB of weights were never made
    layer = ed.live_shapes.layer(huge)
    assert all(is_uninitialized(v) for v in layer.variables)
    # later Keras work elsewhere in the kernel does not make them either
    keras.layers.Dense(3)(keras.Input((4,)))
    assert all(is_uninitialized(v) for v in layer.variables)

    with pytest.raises(BuildError) as err:
        ed.build()
    msg = str(err.value)
    assert err.value.card == "huge"
    assert "'huge'" in msg and "21,000,000,000 parameters" in msg and "GiB" in msg
    assert f"{MAX_PARAMETERS:,}" in msg
    assert _rss_mb() - peak < 300 and ed.model is None

    huge.units = 5
    model = ed.build()
    assert not any(is_uninitialized(v) for v in model.variables)
    assert model.predict(np.ones((2, 20), "float32"), verbose=0).shape == (2, 5)


def test_build_makes_the_weights_of_layers_the_live_shapes_built(editor):
    x = editor.add("input", name="x", shape=[4])
    d = editor.add("Dense", name="d", units=3, activation="relu")
    editor.connect(x, d)
    editor.connect(d, editor.add("output", name="y"))
    live = editor.live_shapes.layer(d)
    assert live.built and all(is_uninitialized(v) for v in live.variables)
    model = editor.build()
    assert model.get_layer("d") is live  # the live layer, now with weights
    kernel = live.kernel.numpy()
    assert kernel.shape == (4, 3) and np.abs(kernel).sum() > 0
    np.testing.assert_allclose(model.predict(np.eye(4, dtype="float32"), verbose=0),
                               np.maximum(kernel + live.bias.numpy(), 0), rtol=1e-6)


def test_the_whole_network_is_bounded_too(editor, monkeypatch):
    from nncards_widget import weights

    monkeypatch.setattr(weights, "MAX_PARAMETERS", 100)
    x = editor.add("input", name="x", shape=[6])
    a, b = editor.add("Dense", name="a", units=8), editor.add("Dense", name="b", units=8)
    editor.connect(x, a)
    editor.connect(a, b)
    editor.connect(b, editor.add("output", name="y"))
    with pytest.raises(BuildError, match=r"network has 128 parameters.*'b' \(72\), 'a' \(56\)"):
        editor.build()


def _trained_chain(ed):
    x = ed.add("input", name="x", shape=[5])
    a = ed.add("Dense", name="a", units=8, activation="relu")
    b = ed.add("Dense", name="b", units=6, activation="relu")
    head = ed.add("Dense", name="head", units=1)
    ed.connect(x, a)
    ed.connect(a, b)
    ed.connect(b, head)
    ed.connect(head, ed.add("output", name="y"))
    model = ed.build()
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(64, 5)), rng.normal(size=(64, 1)), epochs=3, verbose=0)
    return model, {n: model.get_layer(n).get_weights() for n in ("a", "b", "head")}


def _same(got, want):
    return len(got) == len(want) and all(np.array_equal(g, w) for g, w in zip(got, want,
                                                                               strict=True))


def test_an_edit_keeps_the_trained_weights_of_unchanged_cards(editor):
    model, trained = _trained_chain(editor)
    editor["head"].units = 3  # a new head
    new = editor.build()
    assert new is not model
    assert _same(new.get_layer("a").get_weights(), trained["a"])
    assert _same(new.get_layer("b").get_weights(), trained["b"])
    assert new.get_layer("head").kernel.shape == (6, 3)
    assert sorted(editor.weights.last_kept) == ["a", "b"]
    # the new model is a model of its own: training it leaves the old one alone
    new.get_layer("a").kernel.assign(np.zeros((5, 8)))
    assert _same(model.get_layer("a").get_weights(), trained["a"])


def test_a_changed_input_shape_or_parameter_gives_fresh_weights(editor):
    model, trained = _trained_chain(editor)
    editor["x"].shape = [4]  # 'a' sees another input: fresh; 'b' and 'head' keep theirs
    editor["b"].activation = "tanh"  # a parameter of 'b' changed: fresh
    new = editor.build()
    assert new.get_layer("a").kernel.shape == (4, 8)
    assert not _same(new.get_layer("b").get_weights(), trained["b"])
    assert _same(new.get_layer("head").get_weights(), trained["head"])
    assert editor.weights.last_kept == ["head"]
    # renaming a card keeps its weights
    editor["head"].name = "out"
    assert _same(editor.build().get_layer("out").get_weights(), trained["head"])


def test_a_changed_initializer_or_regularizer_wiring_gives_fresh_weights(editor):
    model, trained = _trained_chain(editor)
    init = editor.add("initializer_Constant", name="ones", value=1.0)
    editor.connect(init, editor["b"]["Bias initializer"])
    new = editor.build()
    assert _same(new.get_layer("a").get_weights(), trained["a"])
    assert np.all(new.get_layer("b").bias.numpy() == 1.0)  # made anew with the new initializer
    assert "b" not in editor.weights.last_kept
    # removing it again is a change too: the bias starts from Keras's default (zeros)
    editor.remove(init)
    assert np.all(editor.build().get_layer("b").bias.numpy() == 0.0)


def test_inspect_after_an_edit_shows_the_trained_network(editor):
    model, trained = _trained_chain(editor)
    sample = np.random.default_rng(1).normal(size=(4, 5)).astype("float32")
    before = np.asarray(editor.inspect(sample)["b"])
    editor["head"].units = 2
    with pytest.warns(UserWarning):
        after = editor.inspect(sample)
    np.testing.assert_allclose(after["b"], before, rtol=1e-6)


def test_seeded_weights_are_used_by_the_next_build(editor):
    x = editor.add("input", name="x", shape=[3])
    d = editor.add("Dense", name="d", units=2)
    editor.connect(x, d)
    editor.connect(d, editor.add("output", name="y"))
    kernel, bias = np.arange(6, dtype="float32").reshape(3, 2), np.array([1, -1], "float32")
    editor.weights.seed(d, [kernel, bias])
    assert d in editor.weights
    model = editor.build()
    np.testing.assert_array_equal(model.predict(np.eye(3, dtype="float32"), verbose=0),
                                  kernel + bias)
    assert editor.weights.last_kept == ["d"] and d in editor.weights
    editor.weights.seed(d.uid, [kernel[:2], bias])  # shapes that do not fit: left unused
    assert editor.build().get_layer("d").kernel.shape == (3, 2)
    assert editor.weights.last_kept == []
    with pytest.raises(ValueError, match="list of arrays"):
        editor.weights.seed(d, kernel)
