"""The cards generated from Keras: every one builds in a tiny network and makes the same Keras layer
as Keras itself given the same arguments; every public class of ``keras.layers`` is a card or is
listed as left out, with its reason; Keras's other names for a class resolve to its card.

The table gives, per generated card, what a tiny network needs: the input shape (batch excluded)
and dtype, the card's values (at least every required one), and how the card is wired when it is
not "Input -> card -> Output" (several tensor inputs, a cell or layer to wrap).
"""

from __future__ import annotations

import inspect
import json
import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

from nncards_widget import NetworkEditor, catalog
from nncards_widget.catalog import keras_catalog

IMG = (8, 8, 3)


def row(shape=(5, 4), dtype=None, inputs=1, wrap=None, **params):
    """``inputs``: how many Input cards feed the card's tensor ports (merge: all into one port);
    ``wrap``: (card id, values) of the layer or cell card wired into the card's Layer port."""
    return {"shape": shape, "dtype": dtype, "inputs": inputs, "wrap": wrap, "params": params}


ROWS = {
    "layer_AdaptiveAveragePooling1D": row((8, 3), output_size=4),
    "layer_AdaptiveAveragePooling2D": row(IMG, output_size=[4, 2]),
    "layer_AdaptiveAveragePooling3D": row((4, 4, 4, 2), output_size=[2, 2, 1]),
    "layer_AdaptiveMaxPooling1D": row((8, 3), output_size=4),
    "layer_AdaptiveMaxPooling2D": row(IMG, output_size=[4, 2]),
    "layer_AdaptiveMaxPooling3D": row((4, 4, 4, 2), output_size=[2, 2, 1]),
    "layer_Add": row((3, 4), inputs=3),
    "layer_Average": row((3, 4), inputs=3),
    "layer_Concatenate": row((3, 4), inputs=3, axis=1),
    "layer_Dot": row((3, 4), inputs=2, axes=[2, 2], normalize=True),
    "layer_Maximum": row((3, 4), inputs=3),
    "layer_Minimum": row((3, 4), inputs=3),
    "layer_Multiply": row((3, 4), inputs=3),
    "layer_Subtract": row((3, 4), inputs=2),
    "layer_AugMix": row(IMG, num_chains=2, seed=1),
    "layer_AutoContrast": row(IMG, value_range=[0, 1]),
    "layer_CategoryEncoding": row((3,), dtype="int32", num_tokens=5, output_mode="count"),
    "layer_CenterCrop": row(IMG, height=4, width=6),
    "layer_ContrastLimitedAdaptiveHistogramEqualization": row(IMG, tile_grid_size=[2, 2]),
    "layer_Conv1DTranspose": row((8, 3), filters=2, kernel_size=3, strides=2, padding="same"),
    "layer_ConvLSTM1D": row((5, 8, 3), filters=2, kernel_size=3, return_sequences=True),
    "layer_ConvLSTM2D": row((3, 6, 6, 2), filters=2, kernel_size=[3, 3], padding="same"),
    "layer_ConvLSTM3D": row((2, 4, 4, 4, 1), filters=2, kernel_size=[2, 2, 2]),
    "layer_CutMix": row(IMG, factor=0.5, seed=2),
    "layer_DepthwiseConv1D": row((8, 3), kernel_size=3, depth_multiplier=2),
    "layer_Discretization": row((3,), num_bins=4, epsilon=0.1),
    "layer_EinsumDense": row((4,), equation="ab,bc->ac", output_shape=[3], activation="relu"),
    "layer_Equalization": row(IMG, bins=64),
    "layer_GRUCell": row((5, 3), units=3),  # a cell is built inside an RNN card
    "layer_LSTMCell": row((5, 3), units=3, unit_forget_bias=False),
    "layer_SimpleRNNCell": row((5, 3), units=3, activation="relu"),
    "layer_GroupNormalization": row((5, 4), groups=2, epsilon=0.01),
    "layer_GroupQueryAttention": row((5, 4), head_dim=2, num_query_heads=2,
                                     num_key_value_heads=1),
    "layer_HashedCrossing": row((1,), dtype="int64", inputs=2, num_bins=7),
    "layer_Hashing": row((3,), dtype="int64", num_bins=5, salt=7),
    "layer_Identity": row((4,)),
    "layer_IntegerLookup": row((3,), dtype="int64", max_tokens=10, num_oov_indices=2),
    "layer_MaxNumBoundingBoxes": row(IMG, max_number=3),
    "layer_MelSpectrogram": row((512,), fft_length=128, sequence_stride=64, num_mel_bins=16),
    "layer_MixUp": row(IMG, alpha=0.4),
    "layer_MultiHeadAttention": row((5, 4), num_heads=2, key_dim=3, dropout=0.1),
    "layer_Normalization": row((4,), invert=True),
    "layer_RMSNormalization": row((4,), epsilon=1e-5),
    "layer_RNN": row((5, 3), wrap=("layer_LSTMCell", {"units": 3}), return_sequences=True),
    "layer_RandAugment": row(IMG, num_ops=1, seed=3),
    "layer_RandomBrightness": row(IMG, factor=0.2),
    "layer_RandomColorDegeneration": row(IMG, factor=0.2),
    "layer_RandomColorJitter": row(IMG, brightness_factor=0.2),
    "layer_RandomContrast": row(IMG, factor=0.2),
    "layer_RandomCrop": row(IMG, height=4, width=4, seed=5),
    "layer_RandomElasticTransform": row(IMG, factor=0.5),
    "layer_RandomErasing": row(IMG, factor=0.5),
    "layer_RandomFlip": row(IMG, mode="horizontal"),
    "layer_RandomGaussianBlur": row(IMG, kernel_size=3),
    "layer_RandomGrayscale": row(IMG, factor=0.3),
    "layer_RandomHue": row(IMG, factor=0.2),
    "layer_RandomInvert": row(IMG, factor=0.5),
    "layer_RandomPerspective": row(IMG, factor=0.5),
    "layer_RandomPosterization": row(IMG, factor=4),
    "layer_RandomRotation": row(IMG, factor=0.1, fill_mode="nearest"),
    "layer_RandomSaturation": row(IMG, factor=0.2),
    "layer_RandomSharpness": row(IMG, factor=0.2),
    "layer_RandomShear": row(IMG, x_factor=0.1),
    "layer_RandomTranslation": row(IMG, height_factor=0.1, width_factor=0.2),
    "layer_RandomZoom": row(IMG, height_factor=0.1),
    "layer_Rescaling": row((4,), scale=1 / 255, offset=-1.0),
    "layer_Resizing": row(IMG, height=4, width=5, interpolation="nearest"),
    "layer_ReversibleEmbedding": row((5,), dtype="int32", input_dim=10, output_dim=3),
    "layer_STFTSpectrogram": row((256, 1), frame_length=64, frame_step=32, fft_length=64),
    "layer_Solarization": row(IMG, threshold_factor=0.5, value_range=[0, 1]),
    "layer_SpectralNormalization": row((4,), wrap=("layer_Dense", {"units": 3}),
                                       power_iterations=2),
    "layer_StringLookup": row((3,), dtype="string", max_tokens=10),
    "layer_TextVectorization": row((1,), dtype="string", max_tokens=20,
                                   output_sequence_length=4),
    "layer_UnitNormalization": row((4,)),
}

CELLS = {"layer_GRUCell", "layer_LSTMCell", "layer_SimpleRNNCell"}

#: Layers Keras leaves out of a functional model: their symbolic call returns the input tensor
#: itself (they change values only when run eagerly), so the model never sees them, and a model
#: whose output is that tensor is refused by Keras (a cycle). They are tested with an Identity
#: card after them.
NOT_IN_MODEL = {"layer_Equalization": "its symbolic call returns the input tensor unchanged"}


def _generated_ids():
    return [s.id for s in catalog.cards() if s.generated]


def test_the_table_covers_every_generated_card():
    assert set(ROWS) == set(_generated_ids())


def _keras_kwargs(spec, values):
    """The Keras arguments for card values, as one would write them (lists as tuples)."""
    kwargs = {}
    for key, value in values.items():
        p = spec.input(key)
        if p.call_arg:
            continue
        value = p.coerce(value)  # e.g. kernel_size=3 -> [3] on a 1D card
        if p.is_list:
            value = tuple(value)
            if p.name in ("axis", "axes") and len(value) == 1:
                value = value[0]
        kwargs[p.keras_arg] = value
    return kwargs


def _build(card_id):
    """A tiny network around the card; returns (model, editor card, card values)."""
    r = ROWS[card_id]
    spec = catalog.get(card_id)
    ed = NetworkEditor()
    extra = {"dtype": r["dtype"]} if r["dtype"] else {}
    xs = [ed.add("input", name=f"x{i}", shape=list(r["shape"]), **extra)
          for i in range(r["inputs"])]
    if card_id in CELLS:  # a cell is a Layer instance for an RNN card
        card = ed.add(card_id, **r["params"])
        rnn = ed.add("layer_RNN")
        ed.connect(card["layer_instance"], rnn["cell"])
        ed.connect(xs[0], rnn)
        ed.connect(rnn, ed.add("output", name="y"))
    else:
        card = ed.add(card_id, **r["params"])
        if r["wrap"]:
            inner_id, inner_values = r["wrap"]
            inner = ed.add(inner_id, **inner_values)
            layer_port = next(p for p in spec.ports if p.type == catalog.LAYER)
            ed.connect(inner["layer_instance"], card[layer_port.name])
        tensor_ports = [p for p in spec.ports if p.type == catalog.TENSOR]
        if tensor_ports[0].is_list:
            for x in xs:
                ed.connect(x, card[tensor_ports[0].name])
        else:
            required = [p for p in tensor_ports if not p.optional]
            for i, p in enumerate(required):  # e.g. attention: query and value
                ed.connect(xs[min(i, len(xs) - 1)], card[p.name])
        last = card
        if card_id in NOT_IN_MODEL:
            last = ed.add("layer_Identity")
            ed.connect(card, last)
        ed.connect(last, ed.add("output", name="y"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras notes about unbuilt state
        model = ed.build()
    return model, card, r["params"], ed.live_shapes.layer(card), ed


def _called_like(built, direct):
    """Call the directly made layer as the card's layer was called (both then are built)."""
    nodes = getattr(built, "_inbound_nodes", [])
    if nodes:
        direct(*nodes[0].arguments.args, **nodes[0].arguments.kwargs)


def _same_config(built, direct, what):
    a = {k: v for k, v in built.get_config().items() if k != "name"}
    b = {k: v for k, v in direct.get_config().items() if k != "name"}
    assert a == b, f"{what}: config from the card differs from Keras:\n card:  {a}\n keras: {b}"


@pytest.mark.parametrize("card_id", _generated_ids())
def test_generated_card_builds_and_matches_keras(card_id):
    spec = catalog.get(card_id)
    model, card, values, built, ed = _build(card_id)
    cls = spec.keras_type()
    if card_id in CELLS:
        rnn = next(layer for layer in model.layers if isinstance(layer, keras.layers.RNN))
        assert rnn.cell is built
    elif card_id in NOT_IN_MODEL:
        assert card.name not in [layer.name for layer in model.layers]
    else:
        assert model.get_layer(card.name) is built
    assert type(built) is cls
    kwargs = _keras_kwargs(spec, values)
    r = ROWS[card_id]
    if r["wrap"]:
        inner_id, inner_values = r["wrap"]
        inner = catalog.get(inner_id)
        port = next(p for p in spec.ports if p.type == catalog.LAYER)
        inner_name = next(c.name for c in ed.cards if c.card_id == inner_id)
        kwargs[port.keras_arg] = inner.keras_type()(name=inner_name,
                                                     **_keras_kwargs(inner, inner_values))
    direct = cls(**kwargs)
    _called_like(built, direct)
    _same_config(built, direct, card_id)


def test_generated_merge_cards_take_any_number_of_wires():
    ed = NetworkEditor()
    xs = [ed.add("input", name=f"x{i}", shape=[2]) for i in range(3)]
    cat = ed.add("layer_Concatenate")
    for x in xs:
        ed.connect(x, cat["inputs"])
    ed.connect(cat, ed.add("output", name="y"))
    model = ed.build()
    data = [np.full((1, 2), i, dtype="float32") for i in range(3)]
    np.testing.assert_array_equal(model.predict(data, verbose=0), [[0, 0, 1, 1, 2, 2]])


# -- aliases, exclusions ----------------------------------------------------------------------
def test_every_public_keras_layer_is_a_card_or_left_out_with_a_reason():
    public = keras_catalog.public_layer_classes()
    carded = {s.keras_class for s in catalog.cards()
              if s.keras_module == "keras.layers" and s.role in ("layer", "merge", "wrapper")}
    assert set(public) == carded | set(keras_catalog.EXCLUDED), (
        f"neither card nor excluded: {sorted(set(public) - carded - set(keras_catalog.EXCLUDED))}")
    assert not carded & set(keras_catalog.EXCLUDED)
    for name, why in keras_catalog.EXCLUDED.items():
        assert name in public, f"{name} is listed as left out but keras.layers has no such class"
        assert len(why) > 20


def test_left_out_layers_are_in_the_card_reference():
    text = (Path(__file__).resolve().parents[1] / "docs" / "cards.md").read_text()
    for name, why in keras_catalog.EXCLUDED.items():
        assert f"| `keras.layers.{name}` | {why} |" in text


@pytest.mark.parametrize("alias,class_name", sorted(keras_catalog.aliases().items()))
def test_keras_aliases_resolve_to_the_card_of_the_class(alias, class_name):
    spec = catalog.get(alias)
    assert spec is catalog.get(class_name)
    cls = spec.keras_type()
    assert cls is getattr(keras.layers, alias, None) or cls.__name__ == alias


def test_the_aliases_named_in_the_issue():
    assert catalog.get("Convolution2D").id == "layer_Conv2D"
    assert catalog.get("AvgPool2D").id == "layer_AveragePooling2D"
    assert catalog.get("GlobalAvgPool1D").id == "layer_GlobalAveragePooling1D"
    assert catalog.get("MultiHeadAttention").generated
    assert catalog.get("Rescaling").keras_type() is keras.layers.Rescaling
    # Curated cards win for their class, but a merge class name gives the card taking any
    # number of inputs; the seed's 2-input merge cards stay reachable by their ids.
    for name in ("Add", "Concatenate", "Average", "Dot", "Maximum", "Minimum", "Multiply",
                 "Subtract"):
        assert catalog.get(name).id == f"layer_{name}"
        assert catalog.get(name).input("inputs").multiplicity == "n"
        assert catalog.get(f"mergeLayer2_{name}").input("input_b").multiplicity == "1"
    assert catalog.get("concatenate").id == "layer_Concatenate"


# -- what every card has ----------------------------------------------------------------------
def test_no_parameter_hides_an_attribute_of_the_card_objects():
    from nncards_widget.cards import Card

    for spec in catalog.cards():
        for p in spec.params:
            assert p.name == "name" or not hasattr(Card, p.name), (spec.id, p.name)
    spec = catalog.get("EinsumDense")
    assert spec.input("output_shape").name == "keras_output_shape"
    assert spec.input("output_shape").keras_arg == "output_shape"


def test_every_layer_card_has_trainable_and_dtype():
    for spec in catalog.cards():
        if spec.role not in ("layer", "merge", "wrapper"):
            continue
        assert spec.input("trainable").default is True, spec.id
        if spec.keras_class not in keras_catalog.OWN_DTYPE:
            assert spec.input("dtype").optional, spec.id


def test_trainable_and_dtype_reach_the_layer():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", units=3, trainable=False, dtype="float64")
    ed.connect(x, d)
    ed.connect(d, ed.add("output", name="y"))
    layer = ed.build().get_layer(d.name)
    assert layer.trainable is False and layer.dtype == "float64"


def test_input_card_takes_dtype_batch_size_and_sparse():
    spec = catalog.get("input")
    for name in ("dtype", "batch_size", "sparse"):
        assert name in inspect.signature(keras.Input).parameters
        assert spec.input(name).help
    ed = NetworkEditor()
    x = ed.add("input", name="ids", shape=[5], dtype="int32", batch_size=2)
    e = ed.add("Embedding", input_dim=10, output_dim=3)
    ed.connect(x, e)
    ed.connect(e, ed.add("output", name="y"))
    model = ed.build()
    assert model.inputs[0].dtype == "int32" and tuple(model.inputs[0].shape) == (2, 5)


def test_leaky_relu_accepts_its_old_alpha_argument():
    spec = catalog.get("LeakyReLU")
    assert spec.input("alpha") is spec.input("negative_slope")
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    act = ed.add("LeakyReLU", alpha=0.2)
    assert act.negative_slope == 0.2
    ed.connect(x, act)
    ed.connect(act, ed.add("output", name="y"))
    assert ed.build().get_layer(act.name).get_config()["negative_slope"] == 0.2


# -- several tensors in and out ---------------------------------------------------------------
def test_multi_head_attention_ports_follow_its_call_signature():
    spec = catalog.get("MultiHeadAttention")
    tensors = {p.name: p for p in spec.ports if p.type == catalog.TENSOR}
    assert [p.call_name for p in tensors.values()][:3] == ["query", "value", "key"]
    assert not tensors["query"].optional and not tensors["value"].optional
    assert tensors["key"].optional and tensors["attention_mask"].optional
    scores = spec.output("attention_scores")
    assert (scores.index, scores.when) == (1, "return_attention_scores")
    assert spec.input("return_attention_scores").call_arg


def test_recurrent_cards_have_initial_state_and_state_outputs():
    for card, states in (("LSTM", ["state_h", "state_c"]), ("GRU", ["state"]),
                         ("layer_ConvLSTM2D", ["state_h", "state_c"])):
        spec = catalog.get(card)
        assert spec.input("initial_state").call_name == "initial_state"
        assert spec.input("initial_state").is_list and spec.input("initial_state").optional
        extra = [o for o in spec.outputs if o.when]
        assert [o.name for o in extra] == states
        assert [o.index for o in extra] == list(range(1, len(states) + 1))
        assert {o.when for o in extra} == {"return_state"}
        assert spec.output("output").index == 0


def test_spec_dicts_carry_call_names_indexes_and_conditions():
    for spec in catalog.cards():
        d = spec.to_dict()
        json.dumps(d)
        for out in d["outputs"]:
            assert "index" in out and "when" in out
        for inp in d["inputs"]:
            if inp["kind"] == "port":
                assert "call_name" in inp
    lstm = catalog.get("LSTM").to_dict()
    assert [o["when"] for o in lstm["outputs"]] == [None, None, "return_state", "return_state"]


def test_generated_cards_name_the_arguments_they_leave_out():
    spec = catalog.get("RandomErasing")
    assert "scale" in spec.left_out
    assert "`scale`" in spec.help
    for s in catalog.cards():
        for arg in s.left_out:
            assert f"`{arg}`" in s.help and arg not in {i.name for i in s.inputs}


def test_a_layer_class_becomes_a_card_entry_typed_from_defaults_annotations_and_docs():
    class Scale(keras.layers.Layer):
        """Multiplies by a factor.

        Args:
            factor: Float, the factor.
            mode: String, one of `"up"` or `"down"`.
        """

        def __init__(self, factor, steps: int = None, mode="up", pool=(2, 2), fn=len, **kwargs):
            super().__init__(**kwargs)

        def call(self, inputs):
            return inputs

    entry = keras_catalog.card_entry("Scale", Scale)
    rows = {r["name"]: r for r in entry["inputs"]}
    assert (rows["factor"]["type"], rows["factor"]["required"]) == ("Float", True)
    assert (rows["steps"]["type"], rows["steps"]["optional"]) == ("Integer", True)
    assert rows["mode"]["choices"] == ["up", "down"] and rows["mode"]["default"] == "up"
    assert (rows["pool"]["multiplicity"], rows["pool"]["length"]) == ("n", 2)
    assert list(entry["left_out"]) == ["fn"] and "`fn`" in entry["help"]
    assert rows["input"]["call_name"] == "inputs"


def test_old_argument_names_read_and_set_the_parameter_on_the_card():
    ed = NetworkEditor()
    act = ed.add("LeakyReLU")
    act.alpha = 0.1
    assert act.negative_slope == 0.1 and act.alpha == 0.1
    dense = ed.add("EinsumDense", equation="ab,bc->ac", output_shape=[3])
    assert dense.keras_output_shape == [3]
    assert dense.output_shape != [3]  # the card's own live-shape display, not the parameter
