"""The README / issue example end to end, plus multi-input/output and Embedding's Input length."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from nncards_widget import BuildError, NetworkEditor


def _example():
    ed = NetworkEditor()
    tokens = ed.add("input", name="tokens", shape=[20])
    emb = ed.add("layer_Embedding", input_dim=1000, output_dim=16, mask_zero=True)
    ed.connect(tokens, emb)
    lstm = ed.add("LSTM", units=8)
    bi = ed.add("layer_Bidirectional", merge_mode="concat")
    ed.connect(lstm["Layer instance"], bi["Layer"])
    ed.connect(emb, bi)
    dense = ed.add("layer_Dense", units=1, activation="sigmoid")
    ed.connect(bi, dense)
    ed.connect(dense, ed.add("output", name="label"))
    return ed, dict(tokens=tokens, emb=emb, lstm=lstm, bi=bi, dense=dense)


def _data(n=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 1000, size=(n, 20))
    x[:, 15:] = 0  # padding, masked by mask_zero
    y = rng.integers(0, 2, size=(n, 1)).astype("float32")
    return x, y


def test_example_builds_trains_and_round_trips(tmp_path):
    ed, c = _example()
    model = ed.build()
    assert ed.model is model
    assert isinstance(model, keras.Model)
    assert model.input_names if hasattr(model, "input_names") else True
    assert [t.name for t in model.inputs] == ["tokens"]
    assert model.output_names == ["label"]
    # Layers are named after their cards and carry the card parameters.
    emb = model.get_layer(c["emb"].name)
    assert isinstance(emb, keras.layers.Embedding)
    assert (emb.input_dim, emb.output_dim, emb.mask_zero) == (1000, 16, True)
    bi = model.get_layer(c["bi"].name)
    assert isinstance(bi, keras.layers.Bidirectional) and bi.merge_mode == "concat"
    assert isinstance(bi.forward_layer, keras.layers.LSTM) and bi.forward_layer.units == 8
    assert model.get_layer(c["dense"].name).units == 1
    # The mask of mask_zero reaches the LSTM: padded steps change nothing.
    x, y = _data()
    pred = model.predict({"tokens": x}, verbose=0)
    x2 = x.copy()
    x2[:, 15:] = 0
    np.testing.assert_allclose(model.predict({"tokens": x2}, verbose=0), pred, atol=1e-6)

    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x={"tokens": x}, y=y, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()

    path = tmp_path / "m.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict({"tokens": x}, verbose=0),
                               model.predict({"tokens": x}, verbose=0), atol=1e-6)


def test_a_plain_array_fits_a_single_input_single_output_model():
    ed, _ = _example()
    model = ed.build()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    x, y = _data(8)
    model.fit(x, y, verbose=0)
    # One Output card: predict gives an array, as for any single-output Keras model.
    pred = model.predict(x, verbose=0)
    assert isinstance(pred, np.ndarray) and pred.shape == (8, 1)


def test_param_edit_takes_effect_on_next_build():
    ed, c = _example()
    first = ed.build()
    c["emb"].output_dim = 32
    assert first.get_layer(c["emb"].name).output_dim == 16  # the built model is not touched
    second = ed.build()
    layer = second.get_layer(c["emb"].name)
    assert layer.output_dim == 32
    assert tuple(layer.embeddings.shape) == (1000, 32)


def test_remove_also_removes_wires():
    ed, c = _example()
    lstm, bi = c["lstm"], c["bi"]
    assert any(w.source_card is lstm for w in ed.wires)
    n_wires = len(ed.wires)
    ed.remove(lstm)
    assert lstm not in ed.cards
    assert all(lstm not in (w.source_card, w.target_card) for w in ed.wires)
    assert len(ed.wires) == n_wires - 1
    assert lstm.uid not in {n.data["id"] for n in ed.graph.nodes}
    assert all(e.data["source"] != lstm.uid for e in ed.graph.edges)
    saved = json.loads(ed.to_json())
    assert all(lstm.uid not in (w["source"], w["target"]) for w in saved["wires"])
    # The Bidirectional card now has nothing in its Layer port: a clear error names it.
    with pytest.raises(BuildError) as err:
        ed.build()
    assert bi.name in str(err.value) and "Layer" in str(err.value)


def test_to_json_from_json_gives_the_same_graph():
    ed, c = _example()
    text = ed.to_json()
    ed2 = NetworkEditor.from_json(text)
    assert [(x.spec.id, x.name, x.params, x.position) for x in ed2.cards] == [
        (x.spec.id, x.name, x.params, x.position) for x in ed.cards]
    assert ed2.to_json() == text
    m1, m2 = ed.build(), ed2.build()
    assert [layer.name for layer in m1.layers] == [layer.name for layer in m2.layers]
    assert m1.count_params() == m2.count_params()


def test_cards_and_wires_are_python_objects():
    ed, c = _example()
    assert ed.cards == list(c.values()) + [ed["label"]]
    assert len(ed.wires) == 5
    w = ed.wires[1]
    assert (w.source_card, w.target_card) == (c["lstm"], c["bi"])
    assert (w.source_port, w.target_port) == ("layer_instance", "layer")


def test_multi_input_multi_output_with_concatenate(tmp_path):
    ed = NetworkEditor()
    a = ed.add("input", name="numbers", shape=[6])
    b = ed.add("input", name="image", shape=[4, 4, 1])
    fa = ed.add("Dense", units=5, activation="relu")
    ed.connect(a, fa)
    conv = ed.add("Conv2D", filters=2, kernel_size=[3, 3])
    ed.connect(b, conv)
    flat = ed.add("Flatten")
    ed.connect(conv, flat)
    cat = ed.add("mergeLayer2_Concatenate", axis=-1)
    ed.connect(fa, cat["Input A"])
    ed.connect(flat, cat["Input B"])
    head1 = ed.add("Dense", units=3, activation="softmax")
    head2 = ed.add("Dense", units=1)
    ed.connect(cat, head1)
    ed.connect(cat, head2)
    ed.connect(head1, ed.add("output", name="kind"))
    ed.connect(head2, ed.add("output", name="size"))
    model = ed.build()
    assert sorted(model.output_names) == ["kind", "size"]
    assert {t.name for t in model.inputs} == {"numbers", "image"}
    assert model.get_layer(cat.name).output.shape == (None, 5 + 2 * 2 * 2)

    # Compare with the same network written in Keras directly: same shapes, same param count.
    ia, ib = keras.Input((6,), name="numbers"), keras.Input((4, 4, 1), name="image")
    x = keras.layers.Concatenate()([keras.layers.Dense(5, activation="relu")(ia),
                                    keras.layers.Flatten()(keras.layers.Conv2D(2, 3)(ib))])
    ref = keras.Model([ia, ib], [keras.layers.Dense(3)(x), keras.layers.Dense(1)(x)])
    assert model.count_params() == ref.count_params()

    rng = np.random.default_rng(1)
    xs = {"numbers": rng.normal(size=(8, 6)), "image": rng.normal(size=(8, 4, 4, 1))}
    ys = {"kind": rng.integers(0, 3, size=(8,)), "size": rng.normal(size=(8, 1))}
    model.compile(optimizer="adam", loss={"kind": "sparse_categorical_crossentropy",
                                          "size": "mse"})
    model.fit(xs, ys, verbose=0, epochs=1)
    out = model.predict(xs, verbose=0)
    assert out["kind"].shape == (8, 3) and out["size"].shape == (8, 1)
    np.testing.assert_allclose(out["kind"].sum(axis=1), 1.0, rtol=1e-5)
    path = tmp_path / "multi.keras"
    model.save(path)
    back = keras.models.load_model(path).predict(xs, verbose=0)
    np.testing.assert_allclose(back["size"], out["size"], atol=1e-6)


def _embedding_flatten(input_shape, input_length):
    ed = NetworkEditor()
    x = ed.add("input", name="ids", shape=input_shape)
    emb = ed.add("Embedding", input_dim=50, output_dim=4, input_length=input_length)
    flat = ed.add("Flatten")
    dense = ed.add("Dense", units=2)
    ed.connect(x, emb)
    ed.connect(emb, flat)
    ed.connect(flat, dense)
    ed.connect(dense, ed.add("output", name="y"))
    return ed, emb, dense


def test_embedding_input_length_makes_flatten_dense_build(tmp_path):
    ed, emb, dense = _embedding_flatten([-1], 7)
    model = ed.build()
    assert model.inputs[0].shape == (None, None)  # variable length input
    assert model.get_layer(emb.name).output.shape == (None, 7, 4)
    assert model.get_layer(dense.name).kernel.shape == (7 * 4, 2)
    x = np.random.default_rng(0).integers(0, 50, size=(3, 7))
    pred = model.predict(x, verbose=0)
    assert pred.shape == (3, 2)
    # The layer is a Keras Embedding (same weights, same lookups) that saves and loads.
    layer = model.get_layer(emb.name)
    assert isinstance(layer, keras.layers.Embedding)
    np.testing.assert_allclose(layer(x), np.take(layer.embeddings.numpy(), x, axis=0))
    path = tmp_path / "emb.keras"
    model.save(path)
    np.testing.assert_allclose(keras.models.load_model(path).predict(x, verbose=0), pred,
                               atol=1e-6)


def test_embedding_without_input_length_cannot_feed_flatten_dense():
    ed, emb, dense = _embedding_flatten([-1], None)
    with pytest.raises(BuildError) as err:
        ed.build()
    assert dense.name in str(err.value)


def test_embedding_input_length_agreeing_with_known_length_builds():
    ed, emb, _ = _embedding_flatten([7], 7)
    assert ed.build().get_layer(emb.name).output.shape == (None, 7, 4)


def test_embedding_contradicting_input_length_is_a_build_error():
    ed, emb, _ = _embedding_flatten([9], 7)
    before = ed.to_json()
    with pytest.raises(BuildError) as err:
        ed.build()
    msg = str(err.value)
    assert err.value.card == emb.name
    assert emb.name in msg and "Input length" in msg and "7" in msg and "9" in msg
    assert ed.to_json() == before
