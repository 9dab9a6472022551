"""NetworkEditor.from_model: a Keras model becomes cards and wires, builds the same model back
(layer classes, counts, configs, parameter count, outputs) and keeps its weights."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from nncards_widget import NetworkEditor
from nncards_widget.errors import GraphFileError, ModelImportError


def _batch(model, n=3, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [tuple(t.shape[1:]) for t in model.inputs]
    arrays = [rng.random((n, *s)).astype("float32") for s in shapes]
    return arrays[0] if len(arrays) == 1 else arrays


def _as_list(out):
    if isinstance(out, dict):
        return [out[k] for k in sorted(out)]
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _classes(model):
    """Layer classes (a Sequential model does not list its InputLayer; a functional one does)."""
    return sorted(type(layer).__name__ for layer in model.layers
                  if type(layer).__name__ != "InputLayer")


def _same_model(original, built, sample):
    """What a user checks: same layer classes and counts, configs, parameter count, outputs."""
    assert _classes(built) == _classes(original)
    assert built.count_params() == original.count_params()
    for layer in original.layers:
        twin = built.get_layer(layer.name)
        mine, theirs = twin.get_config(), layer.get_config()
        if isinstance(layer, keras.Model):
            continue  # a nested model: compared through its layers below
        assert mine == theirs, layer.name
    expected = _as_list(original.predict(sample, verbose=0))
    got = built.predict(sample, verbose=0)
    if isinstance(got, dict) and isinstance(original.output, dict):
        got = [got[k] for k in sorted(got)]
    else:
        got = _as_list(got)
    assert len(got) == len(expected)
    for a, b in zip(got, expected, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def _no_overlap(ed):
    boxes = []
    for c in ed.graph_model.cards.values():
        assert c.position, f"card {c.name} was not placed"
        boxes.append((c.position["x"], c.position["y"], c.name))
    for i, (x1, y1, n1) in enumerate(boxes):
        for x2, y2, n2 in boxes[i + 1:]:
            assert (x1, y1) != (x2, y2), (n1, n2)
            if x1 == x2:
                assert abs(y1 - y2) >= 60, (n1, n2)


def _mlp():
    x = keras.Input((8,), name="features")
    h = keras.layers.Dense(16, activation="relu", name="hidden",
                           kernel_initializer=keras.initializers.RandomNormal(stddev=0.2, seed=1),
                           kernel_regularizer=keras.regularizers.L2(0.01))(x)
    h = keras.layers.Dropout(0.25, name="drop")(h)
    h = keras.layers.BatchNormalization(name="bn")(h)
    y = keras.layers.Dense(3, activation="softmax", name="probs")(h)
    return keras.Model(x, y)


def test_functional_model_round_trip_keeps_weights_and_names():
    model = _mlp()
    ed = NetworkEditor.from_model(model)
    names = [c.name for c in ed.cards]
    for layer in model.layers:
        assert layer.name in names
    assert ed["hidden"].units == 16 and ed["hidden"].activation == "relu"
    # the non-default initializer and regularizer are cards wired into the layer's ports
    feeding = {ed.graph_model.cards[w.source].card_id for w in ed.graph_model.wires_into(
        ed["hidden"].uid)}
    assert {"initializer_RandomNormal", "regularizer_l2"} <= feeding
    assert ed.undo_state["undo_count"] == 0  # an import starts a fresh history
    _no_overlap(ed)
    _same_model(model, ed.build(), _batch(model))


def test_sequential_model():
    model = keras.Sequential([keras.Input((10, 4)), keras.layers.LSTM(6, name="lstm"),
                              keras.layers.Dense(2, name="head")], name="seq")
    ed = NetworkEditor.from_model(model)
    _same_model(model, ed.build(), _batch(model))


def test_multi_input_output_and_multi_tensor_layers():
    q = keras.Input((5, 8), name="query")
    v = keras.Input((7, 8), name="value")
    att = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(q, v, key=v)
    seq, h, c = keras.layers.LSTM(6, return_state=True, return_sequences=True,
                                  name="lstm")(att)
    merged = keras.layers.Concatenate(name="cat")([h, c, keras.layers.Flatten(name="flat")(q)])
    out_a = keras.layers.Dense(2, name="a")(merged)
    out_b = keras.layers.GlobalAveragePooling1D(name="pool")(seq)
    model = keras.Model([q, v], {"a": out_a, "pool": out_b})
    ed = NetworkEditor.from_model(model)
    wires = {(ed.graph_model.cards[w.source].name, w.source_port, w.target_port)
             for w in ed.graph_model.wires_into(ed["mha"].uid)}
    assert {("query", "data", "query"), ("value", "data", "value"),
            ("value", "data", "key")} <= {(s, sp, tp) for s, sp, tp in wires} | wires
    assert [ed.graph_model.cards[w.source].name for w in ed.graph_model.wires_at(
        ed["cat"].uid, "inputs")] == ["lstm", "lstm", "flat"]
    built = ed.build()
    assert sorted(built.output_names) == ["a", "pool"]
    _same_model(model, built, _batch(model))


def test_shared_layer_is_one_card_called_again():
    left, right = keras.Input((6,), name="left"), keras.Input((6,), name="right")
    encoder = keras.layers.Dense(4, activation="tanh", name="encoder")
    distance = keras.layers.Subtract(name="diff")([encoder(left), encoder(right)])
    model = keras.Model([left, right], keras.layers.Dense(1, name="score")(distance))
    ed = NetworkEditor.from_model(model)
    calls = [c for c in ed.cards if c.card_id == "apply_layer"]
    assert len(calls) == 1
    layer_wire = ed.graph_model.wires_at(calls[0].uid, "layer")[0]
    assert ed.graph_model.cards[layer_wire.source].name == "encoder"
    built = ed.build()
    assert len([layer for layer in built.layers if layer.name == "encoder"]) == 1
    _same_model(model, built, _batch(model))


def test_nested_model_and_lambda():
    inner_in = keras.Input((4,), name="inner_in")
    inner = keras.Model(inner_in, keras.layers.Dense(3, name="inner_dense")(inner_in),
                        name="encoder")
    x = keras.Input((4,), name="x")
    y = keras.layers.Lambda(lambda t: t * 2.0, name="double")(inner(x))
    model = keras.Model(x, y)
    ed = NetworkEditor.from_model(model)
    assert ed["encoder"].card_id.startswith("model:")
    assert [c.name for c in ed["encoder"].inner.cards] == ["inner_in", "inner_dense",
                                                           "inner_dense"]
    built = ed.build()
    np.testing.assert_allclose(built.predict(_batch(model), verbose=0),
                               model.predict(_batch(model), verbose=0), rtol=1e-5, atol=1e-6)
    with pytest.raises(GraphFileError, match=r"'double'.*Python code"):
        ed.to_json()


def test_application_model_is_rebuilt_exactly():
    model = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=7,
                                           alpha=0.35)
    ed = NetworkEditor.from_model(model)
    assert len(ed.cards) == len(model.layers) + 1  # one Output card
    _no_overlap(ed)
    sample = _batch(model, n=2) * 255.0
    _same_model(model, ed.build(), sample)


def test_application_with_preprocessing_state_and_dropout_noise_shape():
    model = keras.applications.EfficientNetV2B0(weights=None, input_shape=(32, 32, 3),
                                                classes=5, include_preprocessing=True)
    ed = NetworkEditor.from_model(model)
    # a value the catalogue card cannot hold is a Python value on a kernel card of its class
    assert ed["block2b_drop"].card_id == "custom:Dropout?python=noise_shape"
    assert list(ed["block2b_drop"].noise_shape) == [None, 1, 1, 1]
    # Keras names it "normalization" or "normalization_N" (names are counted per process)
    norm = next(c for c in ed.cards if c.spec.keras_class == "Normalization")
    np.testing.assert_allclose(norm.mean, [0.485, 0.456, 0.406])
    _same_model(model, ed.build(), _batch(model, n=2) * 255.0)
    doc = json.loads(ed.to_json())
    assert doc["schema"] == 2  # kernel cards, savable because their values are plain data
    again = NetworkEditor.from_json(ed.to_json())
    assert again.build().count_params() == model.count_params()


def test_replacing_the_head_keeps_every_other_cards_weights():
    model = _mlp()
    ed = NetworkEditor.from_model(model)
    ed.remove("probs")
    ed.remove(next(c for c in ed.cards if c.card_id == "output"))
    head = ed.add("Dense", name="new_head", units=5, activation="softmax")
    ed.connect(ed["bn"], head)
    ed.connect(head, ed.add("output", name="new_head"))
    built = ed.build()
    for name in ("hidden", "bn"):
        for mine, theirs in zip(built.get_layer(name).get_weights(),
                                model.get_layer(name).get_weights(), strict=True):
            np.testing.assert_array_equal(mine, theirs)
    assert built.output_shape == (None, 5)


def test_operations_applied_to_tensors_are_kernel_cards():
    x = keras.Input((3,), name="x")
    d = keras.layers.Dense(2, name="d")(x)
    model = keras.Model(x, keras.ops.concatenate([d + 1.0, keras.ops.square(d)], axis=-1))
    ed = NetworkEditor.from_model(model)
    built = ed.build()
    assert [type(op).__name__ for op in built.operations] == \
        [type(op).__name__ for op in model.operations]
    _same_model(model, built, _batch(model))
    with pytest.raises(GraphFileError, match=r"card 'add(_\d+)?'.*Python code"):
        ed.to_json()


def test_refusals_name_the_layer_and_what_is_wrong():
    with pytest.raises(ModelImportError, match="expects a keras.Model"):
        NetworkEditor.from_model(keras.layers.Dense(3))
    x = keras.Input((4,), name="x")
    halves = keras.ops.split(keras.layers.Dense(4, name="d")(x), 2, axis=-1)
    model = keras.Model(x, keras.layers.Concatenate(name="cat")(halves))
    with pytest.raises(ModelImportError, match=r"operation 'split.*' \(Split\): it returns 2 "
                                               r"tensors"):
        NetworkEditor.from_model(model)
    y = keras.Input((2, 4), name="y")
    seq = keras.Input((3, 4), name="seq")
    cross = keras.layers.Attention(name="att")([seq, y])
    with pytest.raises(ModelImportError, match=r"'att' \(Attention\).*different tensors"):
        NetworkEditor.from_model(keras.Model([seq, y], cross))
    with pytest.raises(ModelImportError, match="no input shape"):
        NetworkEditor.from_model(keras.Sequential([keras.layers.Dense(2)]))


def test_surgery_after_training_keeps_the_trained_weights():
    model = _mlp()
    ed = NetworkEditor.from_model(model)
    trained = ed.build()
    trained.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(2)
    trained.fit(rng.random((16, 8)), rng.integers(0, 3, 16), epochs=1, verbose=0)
    before = {name: trained.get_layer(name).get_weights() for name in ("hidden", "bn")}
    assert not np.array_equal(before["hidden"][0], model.get_layer("hidden").get_weights()[0])
    ed["probs"].units = 4  # a new head: only that card changes
    rebuilt = ed.build()
    for name, arrays in before.items():
        for mine, theirs in zip(rebuilt.get_layer(name).get_weights(), arrays, strict=True):
            np.testing.assert_array_equal(mine, theirs)
    assert rebuilt.output_shape == (None, 4)


def test_a_layer_name_a_card_cannot_take_is_made_valid():
    x = keras.Input((3,), name="x")
    model = keras.Model(x, keras.layers.Dense(2, name="my dense")(x))
    ed = NetworkEditor.from_model(model)
    assert ed["my_dense"].units == 2
    assert ed.build().get_layer("my_dense").count_params() == 8


def test_wrappers_rnn_cells_and_masks():
    tokens = keras.Input((7,), dtype="int32", name="tokens")
    h = keras.layers.Embedding(50, 6, mask_zero=True, name="emb")(tokens)  # a mask Keras passes
    h = keras.layers.Bidirectional(keras.layers.LSTM(4, return_sequences=True, name="lstm"),
                                   name="bi")(h)
    h = keras.layers.TimeDistributed(keras.layers.Dense(3, name="per_step"), name="td")(h)
    h = keras.layers.RNN(keras.layers.GRUCell(5, name="cell"), name="rnn")(h)
    model = keras.Model(tokens, h)
    ed = NetworkEditor.from_model(model)
    assert not any(c.card_id == "custom:operation" for c in ed.cards)  # no mask card left over
    assert ed["lstm"].units == 4 and ed["per_step"].units == 3 and ed["cell"].units == 5
    sample = np.random.default_rng(3).integers(0, 50, (2, 7))
    sample[:, 5:] = 0
    built = ed.build()
    assert built.count_params() == model.count_params()
    np.testing.assert_allclose(built.predict(sample, verbose=0), model.predict(sample, verbose=0),
                               rtol=1e-5, atol=1e-6)
