"""ed.build() gives exactly the drawn model: Output cards add no layer; the model's outputs are
the tensors wired into them, named by the Output cards."""

from __future__ import annotations

import keras
import numpy as np


def _two_heads(ed):
    x = ed.add("input", name="x", shape=[4])
    hidden = ed.add("Dense", name="hidden", units=5, activation="relu")
    size = ed.add("Dense", name="size", units=1)
    kind = ed.add("Dense", name="kind_logits", units=3, activation="softmax")
    ed.connect(x, hidden)
    ed.connect(hidden, size)
    ed.connect(hidden, kind)
    ed.connect(size, ed.add("output", name="size"))  # the name of the layer it follows
    ed.connect(kind, ed.add("output", name="kind"))
    return x


def test_single_output_adds_no_layer_and_takes_the_output_card_name(editor):
    x = editor.add("input", name="x", shape=[4])
    d = editor.add("Dense", name="d", units=2)
    editor.connect(x, d)
    editor.connect(d, editor.add("output", name="y"))
    model = editor.build()
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]
    assert model.output_names == ["y"]
    assert model.outputs[0] is model.get_layer("d").output
    pred = model.predict(np.ones((3, 4), "float32"), verbose=0)
    assert isinstance(pred, np.ndarray) and pred.shape == (3, 2)
    model.compile(optimizer="sgd", loss="mse")
    hist = model.fit(np.ones((6, 4)), np.zeros((6, 2)), epochs=1, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()


def test_several_outputs_are_keyed_by_output_card_names(editor):
    _two_heads(editor)
    model = editor.build()
    assert sorted(layer.name for layer in model.layers) == ["hidden", "kind_logits", "size", "x"]
    assert sorted(model.output_names) == ["kind", "size"]
    for name, tensor in zip(model.output_names, model.outputs, strict=True):
        assert tensor.shape[-1] == (1 if name == "size" else 3)
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(8, 4)).astype("float32")
    pred = model.predict(xs, verbose=0)
    assert set(pred) == {"size", "kind"} and pred["kind"].shape == (8, 3)
    model.compile(optimizer="adam", loss={"size": "mse", "kind": "sparse_categorical_crossentropy"},
                  metrics={"kind": ["accuracy"]})
    hist = model.fit(xs, {"size": rng.normal(size=(8, 1)), "kind": rng.integers(0, 3, 8)},
                     epochs=1, verbose=0)
    assert {"size_loss", "kind_loss", "kind_accuracy"} <= set(hist.history)
    # the same model as written by hand
    inp = keras.Input((4,), name="x")
    h = keras.layers.Dense(5, activation="relu", name="hidden")(inp)
    ref = keras.Model(inp, {"size": keras.layers.Dense(1, name="size")(h),
                            "kind": keras.layers.Dense(3, activation="softmax",
                                                       name="kind_logits")(h)})
    assert ref.count_params() == model.count_params()
    for layer in ref.layers:
        layer.set_weights(model.get_layer(layer.name).get_weights())
    pred, want = model.predict(xs, verbose=0), ref.predict(xs, verbose=0)
    for name in ("size", "kind"):
        np.testing.assert_allclose(pred[name], want[name], rtol=1e-5, atol=1e-6)


def test_inspect_shows_output_cards(editor):
    _two_heads(editor)
    outs = editor.inspect(np.ones((2, 4), "float32"))
    np.testing.assert_array_equal(outs["kind"], outs["kind_logits"])
    assert editor["kind"].preview["shape"] == [2, 3]
