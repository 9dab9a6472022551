"""The builder's public seam: one build loop over a Graph with a cache object, cards with several
Tensor inputs (by call() argument name, or a list on an 'n' port) and several Tensor outputs
(elements of what call() returns, shown while a Boolean parameter is on)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from nncards_widget import BuildError, catalog
from nncards_widget.builder import BuildCache, ModelBuilder, shape_text
from nncards_widget.graph import CardData, Graph, WireData


def graph_of(*cards, wires=()):
    """A Graph of catalogue cards: ``(name, card id, params)`` and ``(source, port, target,
    port)`` wires (an Input card's output is "data")."""
    graph = Graph()
    for name, card_id, params in cards:
        spec = catalog.get(card_id)
        values = {p.name: p.default for p in spec.params}
        values.update(params)
        if "name" in values:
            values["name"] = name
        graph.add_card(CardData(name, spec.id, name, values))
    for i, (source, source_port, target, target_port) in enumerate(wires):
        graph.add_wire(WireData(f"w{i}", source, source_port, target, target_port))
    return graph


def same_predictions(ours, reference, feed):
    """Copy the reference's weights layer by layer (by name) and compare predictions."""
    for layer in reference.layers:
        if layer.weights:
            ours.get_layer(layer.name).set_weights(layer.get_weights())
    got = ours.predict(feed, verbose=0)
    want = reference.predict(feed, verbose=0)
    got = got if isinstance(got, dict) else {ours.output_names[0]: got}
    for name, value in want.items():
        np.testing.assert_allclose(got[name], value, rtol=1e-5, atol=1e-6)


def test_shape_text():
    assert shape_text((None, 20, 16)) == "(None, 20, 16)"
    assert shape_text((3,)) == "(3,)"
    assert shape_text(()) == "()"


def test_cross_attention_by_call_argument_names_with_scores_output(editor):
    ed = editor
    q = ed.add("input", name="q", shape=[5, 8])
    kv = ed.add("input", name="kv", shape=[7, 6])
    att = ed.add("MultiHeadAttention", name="att", num_heads=2, key_dim=4,
                 return_attention_scores=True)
    ed.connect(q, att["query"])
    ed.connect(kv, att["value"])
    ed.connect(att, ed.add("output", name="y"))
    ed.connect(att["attention_scores"], ed.add("output", name="scores"))
    assert att.error == "" and att.output_shape == "(None, 5, 8)"
    model = ed.build()

    q_in, kv_in = keras.Input((5, 8), name="q"), keras.Input((7, 6), name="kv")
    out, scores = keras.layers.MultiHeadAttention(2, 4, name="att")(
        q_in, kv_in, return_attention_scores=True)
    reference = keras.Model([q_in, kv_in], {"y": out, "scores": scores})
    rng = np.random.default_rng(0)
    feed = {"q": rng.normal(size=(3, 5, 8)), "kv": rng.normal(size=(3, 7, 6))}
    same_predictions(model, reference, feed)
    assert model.predict(feed, verbose=0)["scores"].shape == (3, 2, 5, 7)  # heads, query, value


def test_optional_key_and_mask_are_passed_by_name_when_connected(editor):
    ed = editor
    att = ed.add("MultiHeadAttention", name="att", num_heads=2, key_dim=4)
    for name, shape, port_name in (("q", [4, 8], "query"), ("v", [6, 8], "value"),
                                   ("k", [6, 3], "key"), ("mask", [4, 6], "attention_mask")):
        ed.connect(ed.add("input", name=name, shape=shape), att[port_name])
    ed.connect(att, ed.add("output", name="y"))
    model = ed.build()

    q, v = keras.Input((4, 8), name="q"), keras.Input((6, 8), name="v")
    k, mask = keras.Input((6, 3), name="k"), keras.Input((4, 6), name="mask")
    y = keras.layers.MultiHeadAttention(2, 4, name="att")(q, v, key=k, attention_mask=mask)
    reference = keras.Model([q, v, k, mask], {"y": y})
    rng = np.random.default_rng(1)
    feed = {"q": rng.normal(size=(2, 4, 8)), "v": rng.normal(size=(2, 6, 8)),
            "k": rng.normal(size=(2, 6, 3)), "mask": rng.integers(0, 2, size=(2, 4, 6))}
    same_predictions(model, reference, feed)
    # with another mask the result differs: the mask did reach the layer
    masked = model.predict(feed, verbose=0)
    feed["mask"] = np.ones_like(feed["mask"])
    assert not np.allclose(masked, model.predict(feed, verbose=0))


def seq2seq(ed, return_state=True):
    src = ed.add("input", name="src", shape=[9, 4])
    tgt = ed.add("input", name="tgt", shape=[6, 5])
    enc = ed.add("LSTM", name="encoder", units=3, return_state=return_state)
    dec = ed.add("LSTM", name="decoder", units=3)
    ed.connect(src, enc)
    ed.connect(tgt, dec)
    h = ed.connect(enc["state_h"], dec["initial_state"])
    c = ed.connect(enc["state_c"], dec["initial_state"])
    ed.connect(dec, ed.add("output", name="y"))
    return enc, dec, h, c


def test_encoder_states_feed_the_decoder_initial_state_in_wire_order(editor):
    enc, dec, h, c = seq2seq(editor)
    assert (h.shape, c.shape) == ("(None, 3)", "(None, 3)")
    assert enc.output_shape == "(None, 3)" and dec.output_shape == "(None, 3)"
    assert dec.error == ""
    model = editor.build()

    src, tgt = keras.Input((9, 4), name="src"), keras.Input((6, 5), name="tgt")
    _, state_h, state_c = keras.layers.LSTM(3, return_state=True, name="encoder")(src)
    y = keras.layers.LSTM(3, name="decoder")(tgt, initial_state=[state_h, state_c])
    reference = keras.Model([src, tgt], {"y": y})
    rng = np.random.default_rng(2)
    feed = {"src": rng.normal(size=(2, 9, 4)), "tgt": rng.normal(size=(2, 6, 5))}
    same_predictions(model, reference, feed)


def test_state_outputs_give_no_tensor_while_their_parameter_is_off(editor):
    enc, dec, h, c = seq2seq(editor, return_state=False)
    assert enc.error == "" and enc.output_shape == "(None, 3)"
    state_h = enc.spec.output("state_h").label
    return_state = enc.spec.input("return_state").label
    assert f"output '{state_h}' of card 'encoder'" in dec.error
    assert f"parameter '{return_state}' is off" in dec.error
    assert dec.output_shape is None and h.shape == ""
    with pytest.raises(BuildError, match="of card 'encoder'") as info:
        editor.build()
    assert info.value.card == "decoder" and info.value.port == "initial_state"
    enc.return_state = True  # the state outputs appear; the decoder builds
    assert dec.error == "" and dec.output_shape == "(None, 3)" and h.shape == "(None, 3)"


def test_n_port_takes_any_number_of_wires_as_a_list_in_wire_order(editor):
    ed = editor
    cat = ed.add("layer_Concatenate", name="cat")
    inputs = {n: ed.add("input", name=n, shape=[w]) for n, w in (("a", 2), ("b", 3), ("c", 4))}
    for n in ("c", "a", "b"):  # wire order, not card order
        ed.connect(inputs[n], cat)
    ed.connect(cat, ed.add("output", name="y"))
    assert cat.output_shape == "(None, 9)"
    model = ed.build()
    feed = {"a": np.full((1, 2), 1.0), "b": np.full((1, 3), 2.0), "c": np.full((1, 4), 3.0)}
    np.testing.assert_array_equal(model.predict(feed, verbose=0),
                                  [[3, 3, 3, 3, 1, 1, 2, 2, 2]])


class CountingCache(BuildCache):
    """Keeps every result by signature, and counts what the builder asks."""

    def __init__(self):
        self.kept, self.lookups, self.stores = {}, [], []

    def lookup(self, uid, signature):
        self.lookups.append(uid)
        return self.kept.get((uid, signature))

    def latest(self, uid):
        return next((r for (u, _), r in reversed(self.kept.items()) if u == uid), None)

    def store(self, uid, signature, result):
        self.stores.append(uid)
        self.kept[(uid, signature)] = result


def chain():
    return graph_of(("x", "input", {"shape": [6]}), ("d1", "Dense", {"units": 4}),
                    ("d2", "Dense", {"units": 2}), ("y", "output", {}),
                    wires=[("x", "data", "d1", "input"), ("d1", "output", "d2", "input"),
                           ("d2", "output", "y", "data")])


def test_the_cache_is_asked_for_every_card_and_given_every_new_one():
    graph = chain()
    cache = CountingCache()
    first = ModelBuilder(graph).build(cache)
    assert cache.stores == ["x", "d1", "d2", "y"]
    again = ModelBuilder(graph)
    again.build(cache)  # nothing changed: every card comes from the cache
    assert again.rebuilt == [] and cache.stores == ["x", "d1", "d2", "y"]
    assert again.results["d1"].obj is first.get_layer("d1")
    # a parameter change: that card and everything downstream, nothing upstream
    graph.set_param("d2", "units", 5)
    cache.stores.clear()
    third = ModelBuilder(graph)
    model = third.build(cache)
    assert third.rebuilt == ["d2", "y"] and cache.stores == ["d2", "y"]
    assert model.output.shape == (None, 5)
    assert third.results["d1"].obj is first.get_layer("d1")


def test_building_part_of_the_graph_reads_upstream_results_from_the_cache():
    graph = chain()
    cache = CountingCache()
    ModelBuilder(graph, strict=False).build_cards(None, cache)
    graph.set_param("d1", "units", 7)
    part = ModelBuilder(graph, strict=False)
    results = part.build_cards(["d1", "d2", "y"], cache)
    assert "x" not in results and part.rebuilt == ["d1", "d2", "y"]
    assert shape_text(results["d1"].output.shape) == "(None, 7)"
    assert results["d2"].obj.kernel.shape == (7, 2)


def test_strict_build_does_not_take_a_cached_error():
    graph = chain()
    graph.set_param("d1", "units", 0)  # Keras refuses units=0
    cache = CountingCache()
    results = ModelBuilder(graph, strict=False).build_cards(None, cache)
    assert results["d1"].error is not None and results["d2"].error is not None
    with pytest.raises(BuildError, match="'d1'"):
        ModelBuilder(graph).build(cache)
