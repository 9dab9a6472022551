"""Every catalogue card builds inside a minimal valid graph, and the Keras object it makes carries
the parameters set on the card: its ``get_config()`` equals that of the same class built directly
in Keras with the same arguments.

The table below gives, per card: the input shape (batch excluded), the card values (non-default
wherever the card allows, so the comparison means something), and, where the Keras argument is
not simply ``name=value`` (lists become tuples), the Keras arguments as one would write them.
"""

from __future__ import annotations

import warnings

import keras
import numpy as np
import pytest

from nncards_widget import NetworkEditor, catalog

ACT = dict(activation="relu")
CL = "channels_last"


def row(shape, keras=None, call=None, drop=(), pair=False, **params):
    """``pair``: the Keras layer is called on ``[x, x]`` (self-attention), as the card does."""
    return {"shape": shape, "params": params, "keras": keras or {}, "call": call or {},
            "drop": drop, "pair": pair}


LAYERS = {
    "layer_ELU": row((4,), alpha=0.5),
    "layer_LeakyReLU": row((4,), negative_slope=0.1),
    "layer_PReLU": row((3, 4), shared_axes=[1]),
    "layer_ReLU": row((4,), max_value=6.0, negative_slope=0.1, threshold=0.5),
    "layer_Softmax": row((3, 4), axis=1),
    "layer_ThresholdedReLU": row((4,), theta=0.5),
    "layer_AdditiveAttention": row((5, 4), use_scale=False, use_causal_mask=True, dropout=0.1,
                                   drop=("use_causal_mask",), call={"use_causal_mask": True},
                                   pair=True),
    "layer_Attention": row((5, 4), use_scale=True, use_causal_mask=True, dropout=0.2,
                           drop=("use_causal_mask",), call={"use_causal_mask": True}, pair=True),
    "layer_Conv1D": row((10, 3), filters=4, kernel_size=3, strides=1, padding="causal",
                        data_format=CL, dilation_rate=2, activation="relu", use_bias=False),
    "layer_Conv2D": row((8, 8, 2), filters=3, kernel_size=[3, 2], strides=[2, 1],
                        padding="same", data_format=CL, use_bias=False, activation="tanh"),
    "layer_Conv2DTranspose": row((5, 5, 2), filters=3, kernel_size=[3, 3], strides=[2, 2],
                                 output_padding=[1, 1], activation="relu", use_bias=False),
    "layer_Conv3D": row((6, 6, 6, 1), filters=2, kernel_size=[3, 3, 3],
                        dilation_rate=[2, 1, 1], padding="same", activation="sigmoid"),
    "layer_Conv3DTranspose": row((3, 3, 3, 1), filters=2, kernel_size=[2, 2, 2],
                                 strides=[2, 2, 2], output_padding=[1, 0, 1], padding="same"),
    "layer_DepthwiseConv2D": row((6, 6, 2), kernel_size=[3, 3], depth_multiplier=2,
                                 padding="same", strides=[2, 2], activation="relu",
                                 use_bias=False),
    "layer_SeparableConv1D": row((10, 3), filters=4, kernel_size=3, strides=2, padding="same",
                                 depth_multiplier=2, activation="elu", use_bias=False),
    "layer_SeparableConv2D": row((8, 8, 2), filters=4, kernel_size=[3, 3],
                                 dilation_rate=[2, 2], depth_multiplier=2, activation="relu"),
    "layer_LocallyConnected1D": row((10, 3), filters=4, kernel_size=3, strides=2,
                                    activation="relu", use_bias=False),
    "layer_LocallyConnected2D": row((6, 6, 2), filters=2, kernel_size=[3, 3], strides=[1, 2],
                                    data_format=CL, activation="tanh"),
    "layer_BatchNormalization": row((3, 4), axis=1, momentum=0.9, epsilon=0.01, center=False,
                                    scale=False),
    "layer_LayerNormalization": row((3, 4), axis=[1, 2], epsilon=0.01, center=False),
    "layer_AveragePooling1D": row((8, 3), pool_size=3, strides=2, padding="same"),
    "layer_AveragePooling2D": row((8, 8, 2), pool_size=[2, 3], strides=[1, 2]),
    "layer_AveragePooling3D": row((4, 4, 4, 1), pool_size=[2, 2, 2], strides=[1, 1, 1],
                                  padding="same", data_format=CL),
    "layer_GlobalAveragePooling1D": row((5, 3), data_format="channels_first"),
    "layer_GlobalAveragePooling2D": row((4, 4, 3), data_format="channels_first"),
    "layer_GlobalAveragePooling3D": row((3, 3, 3, 2), data_format="channels_first"),
    "layer_GlobalMaxPooling1D": row((5, 3), data_format="channels_first"),
    "layer_GlobalMaxPooling2D": row((4, 4, 3), data_format="channels_first"),
    "layer_GlobalMaxPooling3D": row((3, 3, 3, 2), data_format="channels_first"),
    "layer_MaxPooling1D": row((8, 3), pool_size=3, strides=1, padding="same"),
    "layer_MaxPooling2D": row((8, 8, 2), pool_size=[3, 3], strides=[2, 2]),
    "layer_MaxPooling3D": row((4, 4, 4, 1), pool_size=[1, 2, 2], padding="same"),
    "layer_ActivityRegularization": row((4,), l1=0.1, l2=0.2),
    "layer_AlphaDropout": row((4,), rate=0.2, seed=3),
    "layer_Dropout": row((3, 4), rate=0.3, noise_shape=[1, 1, 4], seed=5),
    "layer_GaussianDropout": row((4,), rate=0.4, seed=3),
    "layer_GaussianNoise": row((4,), stddev=0.3, seed=3),
    "layer_SpatialDropout1D": row((5, 3), rate=0.2, seed=3),
    "layer_SpatialDropout2D": row((4, 4, 3), rate=0.2, data_format="channels_first"),
    "layer_SpatialDropout3D": row((3, 3, 3, 2), rate=0.25, data_format="channels_first"),
    "layer_Cropping1D": row((8, 3), crop_begin=1, crop_end=2, keras={"cropping": (1, 2)}),
    "layer_Cropping2D": row((6, 6, 2), crop_begin_1=1, crop_end_1=0, crop_begin_2=0,
                            crop_end_2=2, data_format=CL, keras={"cropping": ((1, 0), (0, 2))}),
    "layer_Cropping3D": row((5, 5, 5, 1), crop_begin_1=1, crop_end_1=0, crop_begin_2=0,
                            crop_end_2=1, crop_begin_3=2, crop_end_3=0,
                            keras={"cropping": ((1, 0), (0, 1), (2, 0))}),
    "layer_Flatten": row((3, 4), data_format="channels_first"),
    "layer_Permute": row((3, 4), dims=[2, 1]),
    "layer_RepeatVector": row((4,), n=3),
    "layer_Reshape": row((3, 4), target_shape=[2, 6]),
    "layer_UpSampling1D": row((3, 2), size=3),
    "layer_UpSampling2D": row((3, 3, 2), size=[2, 3], interpolation="bilinear"),
    "layer_UpSampling3D": row((2, 2, 2, 1), size=[1, 2, 3]),
    "layer_ZeroPadding1D": row((4, 2), pad_begin=2, pad_end=0, keras={"padding": (2, 0)}),
    "layer_ZeroPadding2D": row((3, 3, 1), pad_begin_1=0, pad_end_1=1, pad_begin_2=2,
                               pad_end_2=3, keras={"padding": ((0, 1), (2, 3))}),
    "layer_ZeroPadding3D": row((2, 2, 2, 1), pad_begin_1=1, pad_end_1=0, pad_begin_2=0,
                               pad_end_2=2, pad_begin_3=1, pad_end_3=1,
                               keras={"padding": ((1, 0), (0, 2), (1, 1))}),
    "layer_Activation": row((4,), activation="gelu"),
    "layer_Dense": row((4,), units=3, activation="relu", use_bias=False),
    "layer_Embedding": row((5,), input_dim=20, output_dim=3, mask_zero=True),
    "layer_Masking": row((3, 4), mask_value=-1.0),
    "layer_LSTM": row((5, 3), units=4, activation="relu", recurrent_activation="hard_sigmoid",
                      use_bias=True, unit_forget_bias=False, dropout=0.1, recurrent_dropout=0.2,
                      seed=3, return_sequences=True, go_backwards=True),
    "layer_GRU": row((5, 3), units=4, activation="softsign", recurrent_activation="tanh",
                     use_bias=False, dropout=0.1, recurrent_dropout=0.2, seed=4,
                     return_sequences=True, go_backwards=True, reset_after=False),
    "layer_SimpleRNN": row((5, 3), units=4, activation="relu", use_bias=False, dropout=0.3,
                           recurrent_dropout=0.1, seed=5, return_sequences=True,
                           go_backwards=True),
}

MERGES = {
    "mergeLayer2_Add": row((3, 4)),
    "mergeLayer2_Average": row((3, 4)),
    "mergeLayer2_Concatenate": row((3, 4), axis=1),
    "mergeLayer2_Dot": row((3, 4), axes=[2], normalize=True, keras={"axes": 2}),
    "mergeLayer2_Maximum": row((3, 4)),
    "mergeLayer2_Minimum": row((3, 4)),
    "mergeLayer2_Multiply": row((3, 4)),
    "mergeLayer2_Subtract": row((3, 4)),
}

# Port cards: plugged into Dense(units=3) on a (4,) input, at the port named here.
PORT_CARDS = {
    "initializer_Constant": ("Kernel initializer", row(None, value=0.7)),
    "initializer_GlorotNormal": ("Kernel initializer", row(None, seed=7)),
    "initializer_GlorotUniform": ("Kernel initializer", row(None, seed=7)),
    "initializer_Identity": ("Kernel initializer", row(None, gain=2.0)),
    "initializer_Ones": ("Bias initializer", row(None)),
    "initializer_Orthogonal": ("Kernel initializer", row(None, gain=0.5, seed=3)),
    "initializer_RandomNormal": ("Kernel initializer", row(None, mean=0.1, stddev=0.2, seed=4)),
    "initializer_RandomUniform": ("Kernel initializer",
                                  row(None, minval=-0.2, maxval=0.3, seed=5)),
    "initializer_TruncatedNormal": ("Kernel initializer",
                                    row(None, mean=0.1, stddev=0.3, seed=6)),
    "initializer_VarianceScaling": ("Kernel initializer",
                                    row(None, scale=2.0, mode="fan_avg", distribution="uniform",
                                        seed=8)),
    "initializer_Zeros": ("Kernel initializer", row(None)),
    "regularizer_l1": ("Kernel regularizer", row(None, l1=0.02)),
    "regularizer_l1_l2": ("Bias regularizer", row(None, l1=0.01, l2=0.03)),
    "regularizer_l2": ("Activity regularizer", row(None, l2=0.05)),
    "constraint_MaxNorm": ("Kernel constraint", row(None, max_value=1.5, axis=[0],
                                                    keras={"axis": 0})),
    "constraint_MinMaxNorm": ("Kernel constraint", row(None, min_value=0.5, max_value=2.0,
                                                       rate=0.5, axis=[0], keras={"axis": 0})),
    "constraint_NonNeg": ("Bias constraint", row(None)),
    "constraint_RadialConstraint": ("Kernel constraint", row(None)),  # into a Conv2D
    "constraint_UnitNorm": ("Kernel constraint", row(None, axis=[1], keras={"axis": 1})),
}

WRAPPERS = {
    "layer_Bidirectional": ("layer_LSTM", dict(units=3, return_sequences=True),
                            row((5, 4), merge_mode="sum")),
    "layer_TimeDistributed": ("layer_Dense", dict(units=2, activation="relu"), row((5, 4))),
}

NETWORK = {"input", "output", "apply_layer"}  # apply_layer: tests/test_shared_layers.py


def test_the_table_covers_every_card():
    covered = set(LAYERS) | set(MERGES) | set(PORT_CARDS) | set(WRAPPERS) | NETWORK
    # the curated cards; the ones generated from Keras have their own table-driven test
    assert covered == {s.id for s in catalog.cards() if not getattr(s, "generated", False)}


def keras_kwargs(card_id, r):
    """Keras arguments for the card values of a table row: ``name=value``, lists as tuples."""
    spec = catalog.get(card_id)
    kwargs = {}
    for key, value in r["params"].items():
        if key in r["drop"] or (spec.pack and any(key in str(v) for v in spec.pack.values())):
            continue
        kwargs[key] = tuple(value) if isinstance(value, list) else value
    kwargs.update(r["keras"])
    return kwargs


def _build(ed):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a minimal valid graph has no dangling card
        return ed.build()


def _same_config(built, direct, what):
    a, b = built.get_config(), direct.get_config()
    assert a == b, f"{what}: config from the card differs from Keras:\n card:  {a}\n keras: {b}"


#: Parameters every layer card has; a row need not set them.
EVERY_LAYER = ("name", "trainable", "dtype")


def _not_all_defaults(cls, direct, required, what):
    """The row sets something Keras would not have chosen by itself."""
    plain = cls(**required)
    a, b = direct.get_config(), plain.get_config()
    a.pop("name", None), b.pop("name", None)
    assert a != b, f"{what}: the table sets only default values; nothing is compared"


def _required(card_id, kwargs):
    spec = catalog.get(card_id)
    return {p.name: kwargs[p.name] for p in spec.params
            if p.required and p.name in kwargs}


@pytest.mark.parametrize("card_id", sorted(LAYERS))
def test_layer_card_builds_with_its_parameters(card_id):
    r = LAYERS[card_id]
    spec = catalog.get(card_id)
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=list(r["shape"]))
    card = ed.add(card_id, **r["params"])
    ed.connect(x, card)
    ed.connect(card, ed.add("output", name="y"))
    model = _build(ed)
    layer = model.get_layer(card.name)
    cls = spec.keras_type()
    assert type(layer) is cls

    kwargs = keras_kwargs(card_id, r)
    direct = cls(name=card.name, **kwargs)
    inp = keras.Input(r["shape"], dtype="int32" if card_id == "layer_Embedding" else "float32")
    out = direct([inp, inp] if r["pair"] else inp, **r["call"])
    _same_config(layer, direct, card_id)
    if any(not p.required and p.name not in EVERY_LAYER for p in spec.params):
        _not_all_defaults(cls, direct, _required(card_id, kwargs), card_id)
    assert tuple(model.outputs[0].shape) == tuple(out.shape)


def _weights_equal_after_copy(model_layer, direct_layer, x):
    direct_layer.set_weights(model_layer.get_weights())
    return x


def test_attention_causal_mask_reaches_the_call():
    """'Causal' is a call argument in Keras 3: the card output equals a causal Keras call."""
    for card_id in ("layer_Attention", "layer_AdditiveAttention"):
        ed = NetworkEditor()
        x = ed.add("input", name="x", shape=[5, 4])
        card = ed.add(card_id, use_causal_mask=True)
        ed.connect(x, card)
        ed.connect(card, ed.add("output", name="y"))
        model = _build(ed)
        data = np.random.default_rng(0).normal(size=(2, 5, 4)).astype("float32")
        layer = model.get_layer(card.name)
        causal = layer([data, data], use_causal_mask=True)
        plain = layer([data, data], use_causal_mask=False)
        got = model.predict(data, verbose=0)
        np.testing.assert_allclose(got, causal, atol=1e-5)
        assert not np.allclose(got, plain, atol=1e-4), card_id


@pytest.mark.parametrize("card_id", sorted(MERGES))
def test_merge_card_builds_with_two_inputs(card_id):
    r = MERGES[card_id]
    spec = catalog.get(card_id)
    ed = NetworkEditor()
    a = ed.add("input", name="a", shape=list(r["shape"]))
    b = ed.add("input", name="b", shape=list(r["shape"]))
    card = ed.add(card_id, **r["params"])
    ed.connect(a, card["Input A"])
    ed.connect(b, card["Input B"])
    ed.connect(card, ed.add("output", name="y"))
    model = _build(ed)
    layer = model.get_layer(card.name)
    cls = spec.keras_type()
    assert type(layer) is cls
    direct = cls(name=card.name, **keras_kwargs(card_id, r))
    ia, ib = keras.Input(r["shape"]), keras.Input(r["shape"])
    out = direct([ia, ib])
    _same_config(layer, direct, card_id)
    assert tuple(model.outputs[0].shape) == tuple(out.shape)
    # Numbers: the card's model computes what the Keras layer computes, inputs in A, B order.
    rng = np.random.default_rng(2)
    xa, xb = (rng.normal(size=(2,) + r["shape"]).astype("float32") for _ in range(2))
    np.testing.assert_allclose(model.predict({"a": xa, "b": xb}, verbose=0),
                               direct([xa, xb]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("card_id", sorted(PORT_CARDS))
def test_port_card_takes_effect_in_the_layer_it_plugs_into(card_id):
    port, r = PORT_CARDS[card_id]
    spec = catalog.get(card_id)
    radial = card_id == "constraint_RadialConstraint"
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[5, 5, 2] if radial else [4])
    host = (ed.add("Conv2D", filters=2, kernel_size=[3, 3]) if radial
            else ed.add("Dense", units=3))
    card = ed.add(card_id, **r["params"])
    ed.connect(card, host[port])
    ed.connect(x, host)
    ed.connect(host, ed.add("output", name="y"))
    model = _build(ed)
    layer = model.get_layer(host.name)

    obj = spec.keras_type()(**keras_kwargs(card_id, r))
    arg = host.spec.input(port).name
    if radial:
        direct = keras.layers.Conv2D(2, (3, 3), name=host.name, **{arg: obj})
        direct(keras.Input((5, 5, 2)))
    else:
        direct = keras.layers.Dense(3, name=host.name, **{arg: obj})
        direct(keras.Input((4,)))
    _same_config(layer, direct, card_id)
    assert isinstance(getattr(layer, arg), type(obj))
    if spec.role == "initializer" and (r["params"].get("seed") is not None
                                       or "seed" not in {p.name for p in spec.params}):
        # Same initializer, same seed: the card's layer starts with the very same weights.
        weight = "kernel" if "Kernel" in port else "bias"
        np.testing.assert_allclose(getattr(layer, weight).numpy(),
                                   getattr(direct, weight).numpy(), rtol=1e-6)


def test_glorot_normal_card_with_seed_gives_the_keras_kernel():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[6])
    dense = ed.add("Dense", units=4)
    init = ed.add("GlorotNormal", seed=1234)
    ed.connect(init["Initializer instance"], dense["Kernel initializer"])
    ed.connect(x, dense)
    ed.connect(dense, ed.add("output", name="y"))
    kernel = ed.build().get_layer(dense.name).kernel.numpy()
    expected = keras.initializers.GlorotNormal(seed=1234)(shape=(6, 4))
    np.testing.assert_allclose(kernel, expected, rtol=1e-6)
    other = keras.initializers.GlorotNormal(seed=1235)(shape=(6, 4))
    assert not np.allclose(kernel, other)


def test_regularizer_card_adds_to_model_losses():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    dense = ed.add("Dense", units=3)
    ed.connect(x, dense)
    ed.connect(dense, ed.add("output", name="y"))
    assert len(ed.build().losses) == 0
    reg = ed.add("l2", l2=0.5)
    ed.connect(reg, dense["Kernel regularizer"])
    model = ed.build()
    assert len(model.losses) == 1
    kernel = model.get_layer(dense.name).kernel.numpy()
    np.testing.assert_allclose(float(model.losses[0]), 0.5 * np.sum(kernel ** 2), rtol=1e-5)


def test_one_port_card_feeds_several_layers_with_separate_objects():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[4])
    d1, d2 = ed.add("Dense", units=3), ed.add("Dense", units=3)
    init = ed.add("GlorotUniform", seed=3)
    reg = ed.add("l1", l1=0.1)
    ed.connect(init, d1["Kernel initializer"])
    ed.connect(reg, d1["Kernel regularizer"])
    ed.connect(x, d1)
    ed.connect(d1, d2)
    ed.connect(d2, ed.add("output", name="y"))
    # The Initializer card's only output is wired once: a card output can feed several ports.
    ed.connect(init, d2["Kernel initializer"])
    model = ed.build()
    k1 = model.get_layer(d1.name).kernel_initializer
    k2 = model.get_layer(d2.name).kernel_initializer
    assert k1 is not k2 and k1.get_config() == k2.get_config()


@pytest.mark.parametrize("card_id", sorted(WRAPPERS))
def test_wrapper_card_wraps_the_layer_card(card_id):
    inner_id, inner_params, r = WRAPPERS[card_id]
    spec = catalog.get(card_id)
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=list(r["shape"]))
    inner = ed.add(inner_id, **inner_params)
    card = ed.add(card_id, **r["params"])
    ed.connect(inner["Layer instance"], card["Layer"])
    ed.connect(x, card)
    ed.connect(card, ed.add("output", name="y"))
    model = _build(ed)
    layer = model.get_layer(card.name)
    cls = spec.keras_type()
    assert type(layer) is cls
    inner_cls = catalog.get(inner_id).keras_type()
    direct = cls(inner_cls(name=inner.name, **inner_params), name=card.name,
                 **keras_kwargs(card_id, r))
    out = direct(keras.Input(r["shape"]))
    _same_config(layer, direct, card_id)
    assert tuple(model.outputs[0].shape) == tuple(out.shape)


def test_input_and_output_cards():
    ed = NetworkEditor()
    x = ed.add("input", name="features", shape=[3, -1])
    flat = ed.add("GlobalAveragePooling1D")
    ed.connect(x, flat)
    ed.connect(flat, ed.add("output", name="summary"))
    model = _build(ed)
    assert [tuple(t.shape) for t in model.inputs] == [(None, 3, None)]
    assert model.inputs[0].name == "features"
    assert model.output_names == ["summary"]
    data = np.arange(12, dtype="float32").reshape(1, 3, 4)
    np.testing.assert_allclose(model.predict(data, verbose=0), data.mean(axis=1))
