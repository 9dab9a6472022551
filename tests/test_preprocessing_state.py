"""Preprocessing cards with state (a vocabulary, mean and variance, bin boundaries): the state
comes from the kernel (``card.adapt(data)`` or a value given in Python), the built layer holds it
(its predictions equal a plain Keras layer adapted on the same data), and saved graphs keep it as
data when it is small, saying so when it is kept in the kernel only."""

from __future__ import annotations

import json
import warnings

import keras
import numpy as np
import pytest

from nncards_widget import NetworkEditor, catalog
from nncards_widget.catalog import state

TEXTS = np.array([["the cat sat on the mat"], ["the dog ran"], ["a cat ran fast"],
                  ["the end"]])
WORDS = np.array([["b"], ["c"], ["b"], ["a"], ["b"], ["d"]])
CODES = np.array([[3], [3], [5], [7], [3], [5]], dtype="int64")
NUMBERS = np.random.default_rng(0).normal(loc=2.0, scale=3.0, size=(40, 3)).astype("float32")

#: card / Keras class -> (input shape, input dtype, card values, adapt data, data to predict)
CASES = {
    "text-int": ("TextVectorization", [1], "string", {"output_sequence_length": 6}, TEXTS,
                 np.array([["the cat ran"], ["zebra dog"]])),
    "text-tf-idf": ("TextVectorization", [1], "string", {"output_mode": "tf_idf"}, TEXTS,
                    np.array([["the cat ran"], ["zebra dog"]])),
    "string-lookup": ("StringLookup", [1], "string", {}, WORDS,
                      np.array([["a"], ["b"], ["zzz"]])),
    "string-lookup-one-hot": ("StringLookup", [1], "string", {"output_mode": "one_hot"},
                              WORDS, np.array([["a"], ["d"], ["zzz"]])),
    "integer-lookup": ("IntegerLookup", [1], "int64", {}, CODES,
                       np.array([[5], [7], [9]], dtype="int64")),
    "normalization": ("Normalization", [3], None, {}, NUMBERS, NUMBERS[:5] * 1.5),
    "discretization": ("Discretization", [3], None, {"num_bins": 4}, NUMBERS,
                       NUMBERS[:6] - 0.5),
}


def _predict(model, sample):
    """The model's output on a batch (string arrays as tensors, which Keras's predict reads)."""
    import tensorflow as tf

    return keras.ops.convert_to_numpy(model(tf.constant(sample)))


def _network(class_name, shape, dtype, values):
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=shape, **({"dtype": dtype} if dtype else {}))
    card = ed.add(class_name, name="prep", **values)
    ed.connect(x, card)
    ed.connect(card, ed.add("output", name="y"))
    return ed, card


@pytest.mark.parametrize("case", list(CASES))
def test_adapted_card_builds_a_layer_predicting_like_an_adapted_keras_layer(case):
    class_name, shape, dtype, values, data, sample = CASES[case]
    ed, card = _network(class_name, shape, dtype, values)
    card.adapt(data)
    assert all(card.params[p.name] is not None for p in state.state_params(card.spec)
               if p.name != "idf_weights" or values.get("output_mode") == "tf_idf")
    model = ed.build()

    plain = getattr(keras.layers, class_name)(name="plain", **values)
    plain.adapt(data)
    expected = keras.ops.convert_to_numpy(plain(sample))
    got = _predict(model, sample)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", list(CASES))
def test_saved_graph_keeps_small_state_as_data(case):
    class_name, shape, dtype, values, data, sample = CASES[case]
    ed, card = _network(class_name, shape, dtype, values)
    card.adapt(data)
    expected = _predict(ed.build(), sample)
    text = ed.to_json()
    saved = next(c for c in json.loads(text)["cards"] if c["name"] == "prep")["params"]
    for p in state.state_params(card.spec):
        if card.params[p.name] is not None:
            assert isinstance(saved[p.name], list) and saved[p.name], (case, p.name)
    again = NetworkEditor.from_json(text)
    np.testing.assert_allclose(_predict(again.build(), sample), expected,
                               rtol=1e-5, atol=1e-6)


def test_state_given_in_python_reaches_the_built_layer():
    ed, card = _network("StringLookup", [1], "string", {})
    card.vocabulary = ["red", "green", "blue"]
    model = ed.build()
    assert model.get_layer("prep").get_vocabulary() == ["[UNK]", "red", "green", "blue"]
    np.testing.assert_array_equal(_predict(model, np.array([["blue"], ["pink"]])),
                                  [[3], [0]])
    ed.undo()
    assert card.vocabulary is None
    ed.redo()
    assert card.vocabulary == ["red", "green", "blue"]
    ed, card = _network("Normalization", [2], None, {})
    card.mean, card.variance = [1.0, 2.0], [4.0, 1.0]
    got = _predict(ed.build(), np.array([[3.0, 2.0]], dtype="float32"))
    np.testing.assert_allclose(got, [[1.0, 0.0]], atol=1e-6)


def test_a_discretization_card_keeps_its_boundaries_instead_of_a_number_of_bins():
    ed, card = _network("Discretization", [3], None, {"num_bins": 4})
    card.adapt(NUMBERS)
    assert card.num_bins is None and len(card.bin_boundaries) == 3
    assert ed.build().get_layer("prep").bin_boundaries == card.bin_boundaries


def test_adapt_is_one_undoable_step():
    ed, card = _network("Discretization", [3], None, {"num_bins": 4})
    before = ed.undo_state["undo_count"]
    card.adapt(NUMBERS)  # sets the bin boundaries and clears the number of bins
    assert card.bin_boundaries and card.num_bins is None
    assert ed.undo_state["undo_count"] == before + 1
    assert ed.undo() == "Adapt 'prep' on the data"
    assert card.bin_boundaries is None and card.num_bins == 4


def test_large_state_is_kept_in_the_kernel_only_and_to_json_says_so():
    ed, card = _network("StringLookup", [1], "string", {})
    card.vocabulary = [f"word{i:07d}" for i in range(state.MAX_SAVED_BYTES // 10)]
    assert ed.undo_state["undo"].startswith("Set Vocabulary of 'prep' to ['word0000000'")
    assert len(ed.undo_state["undo"]) < 200  # the label shows the list shortened
    with pytest.warns(state.StateNotSavedWarning,
                      match=r"Card 'prep' \(StringLookup layer\): its vocabulary .* kept in the "
                            r"kernel only"):
        text = ed.to_json()
    saved = next(c for c in json.loads(text)["cards"] if c["name"] == "prep")["params"]
    assert saved["vocabulary"] is None
    assert len(card.vocabulary) == state.MAX_SAVED_BYTES // 10  # the kernel keeps it
    loaded = next(c for c in NetworkEditor.from_json(text).cards if c.name == "prep")
    assert loaded.vocabulary is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        card.vocabulary = ["a", "b"]
        ed.to_json()  # small again: saved, no warning


def test_state_rows_are_python_values_documented_on_the_card():
    for class_name, args in state.STATE_ARGS.items():
        spec = catalog.get(class_name)
        for arg in args:
            row = spec.input(arg)
            assert row.type == "Python" and row.optional and row.default is None
            assert "card.adapt(data)" in row.help and arg not in spec.left_out
    assert not state.state_params(catalog.get("Dense"))


def test_adapt_refusals_name_the_card():
    ed = NetworkEditor()
    dense = ed.add("Dense", name="head", units=2)
    with pytest.raises(TypeError, match=r"Card 'head' \(Dense layer\) has no state to adapt"):
        dense.adapt(NUMBERS)
    norm = ed.add("Normalization", name="norm")
    with pytest.raises(ValueError, match=r"Card 'norm' \(Normalization layer\) could not be "
                                         r"adapted"):
        norm.adapt("not numbers")
    assert norm.mean is None  # nothing half-set


def test_unsavable_state_is_refused_by_to_json_naming_the_card():
    from nncards_widget import GraphFileError

    ed, card = _network("StringLookup", [1], "string", {})
    card.vocabulary = [object()]
    with pytest.raises(GraphFileError, match="card 'prep'.*vocabulary"):
        ed.to_json()


def test_an_imported_model_keeps_the_state_of_its_adapted_layers():
    import tensorflow as tf

    words = keras.Input((1,), dtype="string", name="words")
    look = keras.layers.StringLookup(name="look")
    look.adapt(WORDS)
    numbers = keras.Input((3,), name="numbers")
    norm = keras.layers.Normalization(name="norm")
    norm.adapt(NUMBERS)
    bins = keras.layers.Discretization(num_bins=4, name="bins")
    bins.adapt(NUMBERS)
    model = keras.Model([words, numbers], [look(words), norm(numbers), bins(numbers)])
    ed = NetworkEditor.from_model(model)
    cards = {c.name: c for c in ed.cards if c.spec.role != "output"}
    assert cards["look"].card_id == "layer_StringLookup"
    assert cards["look"].vocabulary == look.get_vocabulary(include_special_tokens=False)
    assert cards["norm"].mean is not None and cards["bins"].bin_boundaries is not None
    sample = [tf.constant([["b"], ["zzz"]]), tf.constant(NUMBERS[:2] * 2)]
    got = ed.build()(sample)
    want = model(sample)
    for name, expected in zip(("look", "norm", "bins"), want, strict=True):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(got[name]),
                                   keras.ops.convert_to_numpy(expected), rtol=1e-5, atol=1e-6)
