"""Shared layers: a 'Call layer (shared weights)' card calls the very layer of another card, and
one Layer instance wired into two wrappers is one layer: one set of weights, shown on the cards."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nncards_widget import BuildError, DanglingCardWarning, NetworkEditor


def _siamese(ed):
    a = ed.add("input", name="a", shape=[6])
    b = ed.add("input", name="b", shape=[6])
    enc = ed.add("Dense", name="enc", units=4, activation="tanh")
    enc_b = ed.add("apply_layer", name="enc_b")
    ed.connect(a, enc)
    ed.connect(enc["Layer instance"], enc_b["Layer"])
    ed.connect(b, enc_b["Inputs"])
    diff = ed.add("Subtract", name="diff")
    ed.connect(enc, diff)
    ed.connect(enc_b, diff)
    head = ed.add("Dense", name="head", units=1, activation="sigmoid")
    ed.connect(diff, head)
    ed.connect(head, ed.add("output", name="same"))
    return a, b, enc, enc_b


def _keras_siamese():
    a, b = keras.Input((6,), name="a"), keras.Input((6,), name="b")
    enc = keras.layers.Dense(4, activation="tanh", name="enc")
    diff = keras.layers.Subtract(name="diff")([enc(a), enc(b)])
    return keras.Model([a, b], keras.layers.Dense(1, activation="sigmoid", name="head")(diff))


def _copy_weights(ours, reference):
    for layer in reference.layers:
        if layer.weights:
            layer.set_weights(ours.get_layer(layer.name).get_weights())


def test_siamese_network_shares_one_dense_layer(editor):
    a, b, enc, enc_b = _siamese(editor)
    assert enc_b.output_shape == "(None, 4)" and enc_b.error == ""
    assert enc.param_count == 6 * 4 + 4 and enc_b.param_count == 0  # counted once, on 'enc'
    assert editor.total_params == 28 + 5
    model = editor.build()
    ref = _keras_siamese()
    assert model.count_params() == ref.count_params() == 33
    assert sorted(layer.name for layer in model.layers) == ["a", "b", "diff", "enc", "head"]
    _copy_weights(model, ref)
    rng = np.random.default_rng(0)
    feed = {"a": rng.normal(size=(5, 6)).astype("float32"),
            "b": rng.normal(size=(5, 6)).astype("float32")}
    np.testing.assert_allclose(model.predict(feed, verbose=0), ref.predict(feed, verbose=0),
                               rtol=1e-5, atol=1e-6)
    # the same input on both sides: the shared encoder gives the same code, diff is zero
    same = {"a": feed["a"], "b": feed["a"]}
    outs = editor.inspect(same)
    np.testing.assert_allclose(outs["enc"], outs["enc_b"])
    assert np.all(outs["diff"] == 0)
    # training moves one kernel, used by both calls
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    model.fit(feed, np.ones((5, 1)), epochs=1, verbose=0)
    kernel = model.get_layer("enc").kernel.numpy()
    np.testing.assert_allclose(keras.Model(model.inputs[1], model.get_layer("diff").input[1])
                               .predict(feed["b"], verbose=0), np.tanh(feed["b"] @ kernel
                                                                      + model.get_layer("enc")
                                                                      .bias.numpy()),
                               rtol=1e-5, atol=1e-5)


def test_cards_show_who_shares_a_layer(editor):
    a, b, enc, enc_b = _siamese(editor)
    assert editor.shared_with(enc) == ["enc_b"] and editor.shared_with("enc_b") == ["enc"]
    assert enc.shared_by == ["enc_b"] and enc_b.shared_by == ["enc"]
    third = editor.add("apply_layer", name="enc_c")
    editor.connect(enc["Layer instance"], third["Layer"])
    assert enc.shared_by == ["enc_b", "enc_c"] and enc_b.shared_by == ["enc", "enc_c"]
    assert editor["head"].shared_by == [] and editor.shared_with("head") == []
    editor.remove(third)
    assert enc.shared_by == ["enc_b"] and enc_b.shared_by == ["enc"]
    editor.undo()
    assert editor.shared_with(enc) == ["enc_b", "enc_c"]
    loaded = NetworkEditor.from_json(editor.to_json())
    assert loaded["enc"].shared_by == ["enc_b", "enc_c"] and loaded["enc_c"].shared_by == [
        "enc", "enc_b"]
    with pytest.warns(DanglingCardWarning, match="'enc_c'"):
        assert loaded.build().count_params() == 33


def test_shared_embedding_as_in_the_functional_api_guide(editor):
    ed = editor
    ta = ed.add("input", name="text_a", shape=[-1], dtype="int32")
    tb = ed.add("input", name="text_b", shape=[-1], dtype="int32")
    emb = ed.add("Embedding", name="shared_embedding", input_dim=100, output_dim=8)
    emb_b = ed.add("apply_layer", name="embed_b")
    ed.connect(ta, emb)
    ed.connect(emb["Layer instance"], emb_b["Layer"])
    ed.connect(tb, emb_b)
    pa, pb = ed.add("GlobalAveragePooling1D", name="pa"), ed.add("GlobalAveragePooling1D",
                                                                 name="pb")
    ed.connect(emb, pa)
    ed.connect(emb_b, pb)
    cat = ed.add("Concatenate", name="cat")
    ed.connect(pa, cat)
    ed.connect(pb, cat)
    ed.connect(cat, ed.add("output", name="codes"))
    assert emb_b.output_shape == "(None, None, 8)"
    model = ed.build()

    a = keras.Input((None,), dtype="int32", name="text_a")
    b = keras.Input((None,), dtype="int32", name="text_b")
    shared = keras.layers.Embedding(100, 8, name="shared_embedding")
    codes = keras.layers.Concatenate(name="cat")([
        keras.layers.GlobalAveragePooling1D(name="pa")(shared(a)),
        keras.layers.GlobalAveragePooling1D(name="pb")(shared(b))])
    ref = keras.Model([a, b], codes)
    assert model.count_params() == ref.count_params() == 800
    _copy_weights(model, ref)
    rng = np.random.default_rng(1)
    feed = {"text_a": rng.integers(0, 100, (3, 7)), "text_b": rng.integers(0, 100, (3, 5))}
    np.testing.assert_allclose(model.predict(feed, verbose=0), ref.predict(feed, verbose=0),
                               rtol=1e-6)


def test_several_wires_call_the_layer_on_a_list_in_wire_order(editor):
    ed = editor
    x1, x2 = ed.add("input", name="x1", shape=[2]), ed.add("input", name="x2", shape=[3])
    cat = ed.add("Concatenate", name="cat")
    ed.connect(x1, cat)
    ed.connect(x2, cat)
    again = ed.add("apply_layer", name="cat_again")
    ed.connect(cat["Layer instance"], again["Layer"])
    ed.connect(x2, again)
    ed.connect(x1, again)
    assert again.output_shape == "(None, 5)"
    ed.connect(cat, ed.add("output", name="ab"))
    ed.connect(again, ed.add("output", name="ba"))
    out = ed.build().predict({"x1": np.array([[1.0, 2.0]]), "x2": np.array([[3.0, 4.0, 5.0]])},
                             verbose=0)
    np.testing.assert_array_equal(out["ab"], [[1, 2, 3, 4, 5]])
    np.testing.assert_array_equal(out["ba"], [[3, 4, 5, 1, 2]])


def test_one_layer_instance_in_two_wrappers_is_one_layer(editor):
    ed = editor
    s1 = ed.add("input", name="s1", shape=[5, 4])
    s2 = ed.add("input", name="s2", shape=[7, 4])
    inner = ed.add("Dense", name="inner", units=3)
    td1, td2 = ed.add("TimeDistributed", name="td1"), ed.add("TimeDistributed", name="td2")
    for src, td in ((s1, td1), (s2, td2)):
        ed.connect(inner["Layer instance"], td["Layer"])
        ed.connect(src, td)
    cat = ed.add("Concatenate", name="cat", axis=1)
    ed.connect(td1, cat)
    ed.connect(td2, cat)
    ed.connect(cat, ed.add("output", name="y"))
    assert (td1.output_shape, td2.output_shape, cat.output_shape) == (
        "(None, 5, 3)", "(None, 7, 3)", "(None, 12, 3)")
    assert ed.live_shapes.layer(td1).layer is ed.live_shapes.layer(td2).layer
    assert inner.shared_by == ["td1", "td2"] and td1.shared_by == ["inner", "td2"]
    model = ed.build()
    assert model.get_layer("td1").layer is model.get_layer("td2").layer
    assert model.count_params() == 4 * 3 + 3  # not twice
    x = {"s1": np.ones((1, 5, 4), "float32"), "s2": np.ones((1, 7, 4), "float32")}
    out = model.predict(x, verbose=0)
    np.testing.assert_allclose(out[0, :5], out[0, 5:10], rtol=1e-6)
    # A changed input shape: the shared layer is made anew and the shapes stay right.
    s1.shape = [5, 6]
    s2.shape = [7, 6]
    assert td1.error == "" and td2.error == "" and cat.output_shape == "(None, 12, 3)"
    assert ed.live_shapes.layer(td1).layer is ed.live_shapes.layer(td2).layer
    assert ed.build().count_params() == 6 * 3 + 3


def test_a_shared_layer_on_incompatible_inputs_is_a_clear_error(editor):
    a, b, enc, enc_b = _siamese(editor)
    b.shape = [5]
    assert "'enc_b'" in enc_b.error and "(None, 5)" in enc_b.error
    assert "shared with card 'enc'" in enc_b.error
    assert enc.output_shape == "(None, 4)" and enc.error == ""
    with pytest.raises(BuildError, match="'enc_b'.*shared with card 'enc'") as err:
        editor.build()
    assert err.value.card == "enc_b"
    b.shape = [6]
    assert enc_b.error == "" and editor.build().count_params() == 33


def test_call_layer_card_needs_a_layer(editor):
    x = editor.add("input", name="x", shape=[3])
    again = editor.add("apply_layer", name="again")
    editor.connect(x, again)
    editor.connect(again, editor.add("output", name="y"))
    assert "'again'" in again.error and "'Layer'" in again.error
    with pytest.raises(BuildError, match="'again'.*nothing connected to its input 'Layer'"):
        editor.build()
