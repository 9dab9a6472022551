"""The builder's public seam: one build loop over a Graph with a cache object, cards with several
Tensor inputs (by call() argument name, or a list on an 'n' port) and several Tensor outputs
(elements of what call() returns, shown while a Boolean parameter is on)."""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import pytest

from nncards_widget import BuildError, catalog
from nncards_widget.builder import BuildCache, ModelBuilder, shape_text
from nncards_widget.catalog import LAYER, TENSOR, CardSpec, InputSpec, OutputSpec
from nncards_widget.graph import CardData, Graph, WireData


# Specs made here for Keras classes with several tensor inputs/outputs; the fields call_name,
# index and when are the catalogue's (declared again so this file does not depend on the order
# in which the catalogue grows them).
@dataclass(frozen=True)
class Port(InputSpec):
    call_name: str | None = None


@dataclass(frozen=True)
class Out(OutputSpec):
    index: int | None = None
    when: str | None = None


def param(name, type_, default=None, **kw):
    return InputSpec(label=name, name=name, type=type_, default=default, keras_arg=name, **kw)


def port(name, call_name=None, multiplicity="1", optional=False):
    return Port(label=name, name=name, type=TENSOR, kind="port", multiplicity=multiplicity,
                optional=optional, keras_arg=None, call_name=call_name)


LAYER_OUT = OutputSpec(label="Layer instance", name="layer_instance", type=LAYER)

MHA = CardSpec(
    id="test_MultiHeadAttention", title="Multi-head attention", category=("Test",), role="layer",
    keras_class="MultiHeadAttention", keras_module="keras.layers", keras_doc=None,
    inputs=(param("num_heads", "Integer", 2), param("key_dim", "Integer", 4),
            param("return_attention_scores", "Boolean", False, call_arg=True),
            port("query", "query"), port("value", "value"), port("key", "key", optional=True),
            port("attention_mask", "attention_mask", optional=True)),
    outputs=(LAYER_OUT, Out(label="Output", name="output", type=TENSOR, index=0),
             Out(label="Scores", name="scores", type=TENSOR, index=1,
                 when="return_attention_scores")))

LSTM = CardSpec(
    id="test_LSTM", title="LSTM", category=("Test",), role="layer", keras_class="LSTM",
    keras_module="keras.layers", keras_doc=None,
    inputs=(param("units", "Integer", 3), param("return_state", "Boolean", False),
            port("input", "sequences"),
            port("initial_state", "initial_state", multiplicity="n", optional=True)),
    outputs=(LAYER_OUT, Out(label="Output", name="output", type=TENSOR, index=0),
             Out(label="State h", name="state_h", type=TENSOR, index=1, when="return_state"),
             Out(label="State c", name="state_c", type=TENSOR, index=2, when="return_state")))

CONCAT = CardSpec(
    id="test_Concatenate", title="Concatenate", category=("Test",), role="merge",
    keras_class="Concatenate", keras_module="keras.layers", keras_doc=None,
    inputs=(port("inputs", multiplicity="n"),),
    outputs=(LAYER_OUT, OutputSpec(label="Output", name="output", type=TENSOR)))


@dataclass
class Card(CardData):
    """A card of a spec made in this file (catalogue cards read theirs by id)."""

    own_spec: CardSpec | None = None

    @property
    def spec(self) -> CardSpec:
        return self.own_spec or catalog.get(self.card_id)


class Net:
    """A Graph written tersely: ``net.card("q", spec_or_id, units=3)``, ``net.wire(a, b)``."""

    def __init__(self):
        self.graph = Graph()

    def card(self, name, spec, **params):
        spec = spec if isinstance(spec, CardSpec) else catalog.get(spec)
        values = {p.name: p.default for p in spec.params}
        values.update(params)
        if "name" in values:
            values["name"] = name
        own = spec if spec.id.startswith("test_") else None
        self.graph.add_card(Card(name, spec.id, name, values, own_spec=own))
        return name

    def wire(self, source, target, source_port="output", target_port="input"):
        if self.graph.cards[source].spec.role == "input":
            source_port = "data"
        wid = f"w{len(self.graph.wires) + 1}"
        self.graph.add_wire(WireData(wid, source, source_port, target, target_port))
        return wid

    def output(self, source, name, source_port="output"):
        self.card(name, "output")
        self.wire(source, name, source_port, "data")


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


def test_cross_attention_by_call_argument_names_with_scores_output():
    net = Net()
    net.card("q", "input", shape=[5, 8])
    net.card("kv", "input", shape=[7, 6])
    net.card("att", MHA, num_heads=2, key_dim=4, return_attention_scores=True)
    net.wire("q", "att", target_port="query")
    net.wire("kv", "att", target_port="value")
    net.output("att", "y")
    net.output("att", "scores", source_port="scores")
    builder = ModelBuilder(net.graph)
    model = builder.build()
    result = builder.results["att"]
    assert set(result.outputs) == {"output", "scores"}
    assert shape_text(result.outputs["output"].shape) == "(None, 5, 8)"

    q, kv = keras.Input((5, 8), name="q"), keras.Input((7, 6), name="kv")
    out, scores = keras.layers.MultiHeadAttention(2, 4, name="att")(
        q, kv, return_attention_scores=True)
    reference = keras.Model([q, kv], {"y": out, "scores": scores})
    rng = np.random.default_rng(0)
    feed = {"q": rng.normal(size=(3, 5, 8)), "kv": rng.normal(size=(3, 7, 6))}
    same_predictions(model, reference, feed)
    assert model.predict(feed, verbose=0)["scores"].shape == (3, 2, 5, 7)  # heads, query, value


def test_optional_key_and_mask_are_passed_by_name_when_connected():
    net = Net()
    net.card("q", "input", shape=[4, 8])
    net.card("v", "input", shape=[6, 8])
    net.card("k", "input", shape=[6, 3])
    net.card("mask", "input", shape=[4, 6])
    net.card("att", MHA)
    for src, port_name in (("q", "query"), ("v", "value"), ("k", "key"),
                           ("mask", "attention_mask")):
        net.wire(src, "att", target_port=port_name)
    net.output("att", "y")
    model = ModelBuilder(net.graph).build()

    q, v = keras.Input((4, 8), name="q"), keras.Input((6, 8), name="v")
    k, mask = keras.Input((6, 3), name="k"), keras.Input((4, 6), name="mask")
    y = keras.layers.MultiHeadAttention(2, 4, name="att")(q, v, key=k, attention_mask=mask)
    reference = keras.Model([q, v, k, mask], {"y": y})
    rng = np.random.default_rng(1)
    feed = {"q": rng.normal(size=(2, 4, 8)), "v": rng.normal(size=(2, 6, 8)),
            "k": rng.normal(size=(2, 6, 3)), "mask": rng.integers(0, 2, size=(2, 4, 6))}
    same_predictions(model, reference, feed)
    # without the mask, the result differs (the mask did reach the layer)
    masked = model.predict(feed, verbose=0)
    feed["mask"] = np.ones_like(feed["mask"])
    assert not np.allclose(masked, model.predict(feed, verbose=0))


def test_encoder_states_feed_the_decoder_initial_state_in_wire_order():
    net = Net()
    net.card("src", "input", shape=[9, 4])
    net.card("tgt", "input", shape=[6, 5])
    net.card("encoder", LSTM, units=3, return_state=True)
    net.card("decoder", LSTM, units=3)
    net.wire("src", "encoder")
    net.wire("tgt", "decoder")
    net.wire("encoder", "decoder", "state_h", "initial_state")
    net.wire("encoder", "decoder", "state_c", "initial_state")
    net.output("decoder", "y")
    builder = ModelBuilder(net.graph)
    model = builder.build()
    assert set(builder.results["encoder"].outputs) == {"output", "state_h", "state_c"}
    assert len(builder.results["decoder"].inputs["initial_state"]) == 2

    src, tgt = keras.Input((9, 4), name="src"), keras.Input((6, 5), name="tgt")
    _, h, c = keras.layers.LSTM(3, return_state=True, name="encoder")(src)
    y = keras.layers.LSTM(3, name="decoder")(tgt, initial_state=[h, c])
    reference = keras.Model([src, tgt], {"y": y})
    rng = np.random.default_rng(2)
    feed = {"src": rng.normal(size=(2, 9, 4)), "tgt": rng.normal(size=(2, 6, 5))}
    same_predictions(model, reference, feed)


def test_state_outputs_are_absent_while_their_parameter_is_off():
    net = Net()
    net.card("src", "input", shape=[9, 4])
    net.card("encoder", LSTM, units=3)  # return_state False: one tensor, no state outputs
    net.card("head", "Dense", units=2)
    net.wire("src", "encoder")
    net.wire("encoder", "head", "state_h")
    net.output("head", "y")
    lenient = ModelBuilder(net.graph, strict=False)
    results = lenient.build_cards()
    assert set(results["encoder"].outputs) == {"output"}
    assert shape_text(results["encoder"].output.shape) == "(None, 3)"
    err = results["head"].error
    assert err is not None and err.card == "head" and err.port == "input"
    assert "'State h' of card 'encoder'" in str(err) and "'return_state' is off" in str(err)
    with pytest.raises(BuildError, match="'State h' of card 'encoder'"):
        ModelBuilder(net.graph).build()


def test_n_port_takes_any_number_of_wires_as_a_list_in_wire_order():
    net = Net()
    for name, width in (("a", 2), ("b", 3), ("c", 4)):
        net.card(name, "input", shape=[width])
    net.card("cat", CONCAT)
    for name in ("c", "a", "b"):  # wire order, not card order
        net.wire(name, "cat", target_port="inputs")
    net.output("cat", "y")
    model = ModelBuilder(net.graph).build()
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
    net = Net()
    net.card("x", "input", shape=[6])
    net.card("d1", "Dense", units=4)
    net.card("d2", "Dense", units=2)
    net.wire("x", "d1")
    net.wire("d1", "d2")
    net.output("d2", "y")
    return net


def test_the_cache_is_asked_for_every_card_and_given_every_new_one():
    net = chain()
    cache = CountingCache()
    first = ModelBuilder(net.graph).build(cache)
    assert cache.stores == ["x", "d1", "d2", "y"]
    again = ModelBuilder(net.graph)
    again.build(cache)  # nothing changed: every card comes from the cache
    assert again.rebuilt == [] and cache.stores == ["x", "d1", "d2", "y"]
    assert again.results["d1"].obj is first.get_layer("d1")
    # a parameter change: that card and everything downstream, nothing upstream
    net.graph.set_param("d2", "units", 5)
    cache.stores.clear()
    third = ModelBuilder(net.graph)
    model = third.build(cache)
    assert third.rebuilt == ["d2", "y"] and cache.stores == ["d2", "y"]
    assert model.output.shape == (None, 5)
    assert third.results["d1"].obj is first.get_layer("d1")


def test_building_part_of_the_graph_reads_upstream_results_from_the_cache():
    net = chain()
    cache = CountingCache()
    ModelBuilder(net.graph, strict=False).build_cards(None, cache)
    net.graph.set_param("d1", "units", 7)
    part = ModelBuilder(net.graph, strict=False)
    results = part.build_cards(["d1", "d2", "y"], cache)
    assert "x" not in results and part.rebuilt == ["d1", "d2", "y"]
    assert shape_text(results["d1"].output.shape) == "(None, 7)"
    assert results["d2"].obj.kernel.shape == (7, 2)


def test_strict_build_does_not_take_a_cached_error():
    net = chain()
    net.graph.set_param("d1", "units", 0)  # Keras refuses units=0
    cache = CountingCache()
    results = ModelBuilder(net.graph, strict=False).build_cards(None, cache)
    assert results["d1"].error is not None and results["d2"].error is not None
    with pytest.raises(BuildError, match="'d1'"):
        ModelBuilder(net.graph).build(cache)
