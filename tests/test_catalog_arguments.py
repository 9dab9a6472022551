"""Every constructor argument of a card's class is on the card (a parameter row or a port) or is
named in the card's ``left_out`` with the reason; the rows the catalogue adds to the curated
cards reach the built layer and let ``from_model`` import such layers as catalogue cards."""

from __future__ import annotations

import inspect

import keras
import numpy as np
import pytest

from nncards_widget import NetworkEditor, catalog


def _class_cards():
    out = []
    for spec in catalog.cards():
        cls = spec.keras_type()
        if inspect.isclass(cls):
            out.append(pytest.param(spec, cls, id=spec.id))
    return out


def _constructor_args(cls) -> list:
    return [a for a, p in inspect.signature(cls.__init__).parameters.items()
            if a not in ("self", "name") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


@pytest.mark.parametrize("spec,cls", _class_cards())
def test_every_constructor_argument_is_a_row_a_port_or_left_out_with_a_reason(spec, cls):
    on_card = set(spec.pack or ())
    for inp in spec.inputs:
        on_card |= {inp.name, inp.keras_arg, *inp.aliases}
    reasons = dict(spec.left_out_reasons)
    assert set(reasons) == set(spec.left_out)
    for arg in _constructor_args(cls):
        if arg in on_card:
            assert arg not in reasons, f"{spec.id}: {arg!r} is on the card and left out"
            continue
        assert arg in reasons, f"{spec.id}: constructor argument {arg!r} is not on the card"
        assert len(reasons[arg]) > 10 and f"`{arg}`" in spec.help, (spec.id, arg)


def test_curated_cards_have_the_arguments_the_brief_names():
    expected = {
        "Conv1D": ["groups"], "Conv2D": ["groups"], "Conv3D": ["groups"],
        "GlobalAveragePooling2D": ["keepdims"], "GlobalMaxPooling1D": ["keepdims"],
        "Dense": ["lora_rank", "lora_alpha"],
        "Embedding": ["embeddings_regularizer", "lora_rank", "lora_alpha"],
        "BatchNormalization": ["renorm", "renorm_momentum", "synchronized"],
        "LSTM": ["stateful", "unroll"], "GRU": ["stateful", "unroll"],
        "SimpleRNN": ["stateful", "unroll"], "AlphaDropout": ["noise_shape"],
        "GaussianDropout": ["seed"], "GaussianNoise": ["seed"], "SpatialDropout2D": ["seed"],
        "Attention": ["score_mode", "seed"],
    }
    for class_name, args in expected.items():
        spec = catalog.get(class_name)
        assert not spec.generated, class_name  # the curated card, completed
        for arg in args:
            inp = spec.input(arg)
            assert inp.from_keras and inp.help, (class_name, arg)
    # Added rows come after the card's own rows and before its tensor ports.
    names = [i.name for i in catalog.get("Conv2D").inputs]
    assert names.index("bias_constraint") < names.index("groups") < names.index("input")
    assert catalog.get("Embedding").input("embeddings_regularizer").type == catalog.REGULARIZER


def _one_layer(card_id, shape, **params):
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=list(shape))
    card = ed.add(card_id, **params)
    ed.connect(x, card)
    ed.connect(card, ed.add("output", name="y"))
    return ed.build().get_layer(card.name)


def test_added_arguments_reach_the_built_layer():
    conv = _one_layer("Conv2D", (6, 6, 4), filters=4, kernel_size=[3, 3], groups=2)
    assert conv.get_config()["groups"] == 2 and conv.kernel.shape == (3, 3, 2, 4)
    pool = _one_layer("GlobalAveragePooling1D", (5, 3), keepdims=True)
    assert tuple(pool.output.shape) == (None, 1, 3)
    dense = _one_layer("Dense", (4,), units=3, lora_rank=2)
    assert dense.lora_enabled and dense.lora_rank == 2
    lstm = _one_layer("LSTM", (5, 3), units=2, unroll=True)
    assert lstm.get_config()["unroll"] is True
    bn = _one_layer("BatchNormalization", (4,), renorm=True, renorm_momentum=0.9)
    assert bn.get_config()["renorm"] is True and bn.get_config()["renorm_momentum"] == 0.9


def test_from_model_imports_such_layers_as_catalogue_cards():
    x = keras.Input((6, 6, 4), name="x")
    h = keras.layers.Conv2D(4, 3, groups=2, name="conv")(x)
    h = keras.layers.GlobalAveragePooling2D(keepdims=True, name="pool")(h)
    h = keras.layers.GaussianNoise(0.1, seed=3, name="noise")(h)
    y = keras.layers.Dense(3, lora_rank=2, name="dense")(h)
    model = keras.Model(x, y)
    ed = NetworkEditor.from_model(model)
    cards = {c.name: c for c in ed.cards if c.spec.role != "output"}
    assert cards["conv"].card_id == "layer_Conv2D" and cards["conv"].groups == 2
    assert cards["pool"].card_id == "layer_GlobalAveragePooling2D" and cards["pool"].keepdims
    assert cards["noise"].card_id == "layer_GaussianNoise" and cards["noise"].seed == 3
    assert cards["dense"].card_id == "layer_Dense" and cards["dense"].lora_rank == 2
    rebuilt = ed.build()
    data = np.random.default_rng(0).normal(size=(2, 6, 6, 4)).astype("float32")
    np.testing.assert_allclose(rebuilt.predict(data, verbose=0), model.predict(data, verbose=0),
                               rtol=1e-5, atol=1e-6)


def _leaky_relu_file(params) -> str:
    import json

    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[3])
    act = ed.add("LeakyReLU", name="act")
    ed.connect(x, act)
    ed.connect(act, ed.add("output", name="y"))
    doc = json.loads(ed.to_json())
    card = next(c for c in doc["cards"] if c["name"] == "act")
    card["params"] = params
    return json.dumps(doc)


def test_a_saved_graph_with_an_old_argument_name_loads_under_the_current_name():
    ed = NetworkEditor.from_json(_leaky_relu_file({"alpha": 0.25}))
    act = next(c for c in ed.cards if c.name == "act")
    assert act.negative_slope == 0.25 and "alpha" not in act.params
    assert ed.build().get_layer("act").get_config()["negative_slope"] == 0.25
    assert '"negative_slope": 0.25' in ed.to_json()


def test_a_saved_graph_giving_the_old_and_the_new_name_is_refused():
    from nncards_widget import GraphFileError

    with pytest.raises(GraphFileError, match="'alpha' is an old name of 'negative_slope'"):
        NetworkEditor.from_json(_leaky_relu_file({"alpha": 0.25, "negative_slope": 0.1}))
    with pytest.raises(GraphFileError, match="'act'.*'Alpha'.*expected a number"):
        NetworkEditor.from_json(_leaky_relu_file({"alpha": "steep"}))
