"""The catalogue against the seed reference and the installed Keras."""

from __future__ import annotations

import inspect
import json
import re

import keras
import pytest

from pathlib import Path

from nncards_widget import catalog

#: The seed card reference the catalogue was made from (a copy kept with the tests).
SEED_CARDS = Path(__file__).resolve().parent / "data" / "seed_cards.json"

PORT_TYPES = set(catalog.PORT_TYPES)

#: Titles the catalogue corrects on purpose (slips in the seed).
SEED_TITLE_FIXES = {"constraint_RadialConstraint": ("Radial constraint constraint",
                                                    "Radial constraint")}


def _seed():
    if not SEED_CARDS.is_file():
        pytest.fail(f"The seed card reference is missing: expected {SEED_CARDS}")
    return json.loads(SEED_CARDS.read_text())["cards"]


def _seed_ids():
    try:
        return [c["id"] for c in _seed()]
    except BaseException:  # collected before pytest can fail: let the test report it
        return ["<seed_cards.json missing>"]


def test_seed_has_88_cards():
    assert len(_seed()) == 88


@pytest.mark.parametrize("card_id", _seed_ids())
def test_seed_card_is_in_catalogue_unchanged(card_id):
    seed = {c["id"]: c for c in _seed()}[card_id]
    spec = catalog.get(card_id)
    assert spec.id == seed["id"]
    seed_title, title = SEED_TITLE_FIXES.get(card_id, (seed["title"], seed["title"]))
    assert seed["title"] == seed_title and spec.title == title
    assert list(spec.category) == list(seed["category"])
    # Rows derived from Keras (Trainable, Dtype, an LSTM's initial state...) come in addition.
    got_in = [(i.label, i.type, i.multiplicity) for i in spec.inputs if not i.from_keras]
    want_in = [(i["label"], i["type"], i["multiplicity"]) for i in seed["inputs"]]
    assert got_in == want_in, f"inputs of {card_id} differ from the seed"
    got_out = [(o.label, o.type, o.multiplicity) for o in spec.outputs if not o.from_keras]
    want_out = [(o["label"], o["type"], o["multiplicity"]) for o in seed["outputs"]]
    assert got_out == want_out, f"outputs of {card_id} differ from the seed"
    # A row is a port exactly when its type is a connectable one.
    for i in spec.inputs:
        assert i.is_port == (i.type in PORT_TYPES), (card_id, i.label)


def test_catalogue_has_the_recurrent_cards():
    for card_id, cls in (("layer_LSTM", "LSTM"), ("layer_GRU", "GRU"),
                         ("layer_SimpleRNN", "SimpleRNN")):
        spec = catalog.get(card_id)
        assert spec.keras_type() is getattr(keras.layers, cls)
        assert catalog.get(cls) is spec
        # Same conventions as the seed's layer cards: a Tensor input, Layer instance + Output.
        # (plus state outputs that exist while 'Return state' is set)
        assert [(o.label, o.type) for o in spec.outputs if not o.when] == [
            ("Layer instance", "NeuralNetworkLayer"), ("Output", "NeuralNetworkTensor")]
        assert {o.when for o in spec.outputs if o.when} == {"return_state"}
        assert spec.input("Input").type == "NeuralNetworkTensor"
        assert spec.category == catalog.get("layer_Dense").category[:0] + spec.category
    curated = [c["id"] for c in catalog.curated_entries()]
    assert len(curated) == 92 and not any(catalog.get(i).generated for i in curated)
    assert len(catalog.cards()) == len(set(catalog.ids())) > 92


def test_keras_doc_links_only_for_classes_keras_documents():
    """Cards of Keras classes link to their keras.io page; the project's own classes (made for
    cards whose class Keras 3 dropped) link nowhere; cards without a class (Input, Output, ...)
    link nowhere or to a keras.io guide."""
    for spec in catalog.cards():
        package = (spec.keras_module or "").split(".")[0]
        if package == "keras":
            assert spec.keras_doc and spec.keras_doc.startswith("https://keras.io/api/"), spec.id
        elif package == "nncards_widget":
            assert spec.keras_doc is None, (spec.id, spec.keras_doc)
        else:
            assert spec.keras_doc is None or spec.keras_doc.startswith("https://keras.io/"), (
                spec.id, spec.keras_doc)


def test_titles_do_not_repeat_a_word():
    for spec in catalog.cards():
        words = spec.title.lower().split()
        assert all(a != b for a, b in zip(words, words[1:], strict=False)), spec.title


def test_get_accepts_keras_class_names_and_ids():
    assert catalog.get("Embedding").id == "layer_Embedding"
    assert catalog.get("layer_Embedding") is catalog.get("Embedding")
    assert catalog.get("LSTM").id == "layer_LSTM"
    assert catalog.get("GlorotNormal").id == "initializer_GlorotNormal"
    with pytest.raises(catalog.UnknownCardError, match="Unknown card 'NoSuchLayer'"):
        catalog.get("NoSuchLayer")


def _all_params():
    return [pytest.param(spec, p, id=f"{spec.id}.{p.name}")
            for spec in catalog.cards() for p in spec.params]


@pytest.mark.parametrize("spec,param", _all_params())
def test_param_has_snake_case_name_and_help(spec, param):
    assert re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", param.name), param.name
    assert param.name.isidentifier()
    assert param.help.strip(), f"{spec.id}.{param.name} has no help text"
    # (a preprocessing layer's state is a kernel-side Python value: a vocabulary, a mean...)
    assert param.type in catalog.PARAM_TYPES or param in catalog.state.state_params(spec)


def test_names_are_unique_per_card():
    for spec in catalog.cards():
        names = [i.name for i in spec.inputs] + [o.name for o in spec.outputs]
        assert len(names) == len(set(names)), spec.id
        labels = [i.label for i in spec.inputs]
        assert len(labels) == len(set(labels)), spec.id


def _keras_signature_default(spec, param):
    """The installed Keras default of the argument behind ``param`` (or a reason to skip)."""
    cls = spec.keras_type()
    if cls is None or param.keras_arg is None:
        return inspect.Parameter.empty
    if param.call_arg:
        sig = inspect.signature(cls.call)
    else:
        sig = inspect.signature(cls.__init__)
    arg = sig.parameters.get(param.keras_arg)
    if arg is None:
        return inspect.Parameter.empty
    return arg.default


def _as_keras_takes(value, param):
    """A list parameter in the form Keras takes it: a tuple (an int repeated counts as equal)."""
    if param.is_list and value is not None:
        return tuple(value)
    return value


def _list_equal(card_value, keras_value, param):
    if isinstance(keras_value, int) and not isinstance(keras_value, bool):
        n = param.length or len(card_value)
        return tuple(card_value) == (keras_value,) * n
    return tuple(card_value) == tuple(keras_value)


@pytest.mark.parametrize("spec,param", [p for p in _all_params()
                                        if p.values[0].keras_class])
def test_param_default_is_the_keras_default(spec, param):
    keras_default = _keras_signature_default(spec, param)
    if keras_default is inspect.Parameter.empty:
        # No default in Keras: the card must ask for a value (or the argument is the card's own).
        if spec.keras_type() is not None and param.keras_arg in inspect.signature(
                spec.keras_type().__init__).parameters:
            assert param.required and param.default is None, (
                f"{spec.id}.{param.name}: Keras has no default, so the card must require a value")
        return
    if keras_default is None:
        assert param.default is None and (param.optional or param.required), (
            f"{spec.id}.{param.name}: Keras default is None, card default {param.default!r} "
            f"(optional={param.optional})")
        return
    assert param.default is not None, f"{spec.id}.{param.name}: Keras default {keras_default!r}"
    if param.is_list:
        assert _list_equal(param.default, keras_default, param), (
            f"{spec.id}.{param.name}: card default {param.default!r}, Keras {keras_default!r}")
    else:
        assert param.default == keras_default and type(param.default) is type(
            keras_default) or (param.type == "Float" and isinstance(keras_default, (int, float))
                               and float(keras_default) == param.default), (
            f"{spec.id}.{param.name}: card default {param.default!r}, Keras {keras_default!r}")
    # The default passes the card's own validation.
    assert param.coerce(param.default) == param.default


@pytest.mark.parametrize("spec,param", [p for p in _all_params() if p.values[1].choices])
def test_choices_are_valid_keras_values(spec, param):
    for choice in param.choices:
        assert param.coerce(choice) == choice
        if param.name in ("activation", "recurrent_activation"):
            assert callable(keras.activations.get(choice)), choice
    if param.default is not None:
        assert param.default in param.choices
    if param.name == "data_format":
        assert set(param.choices) == {"channels_last", "channels_first"}


#: Keras needs one of two arguments that the card requires neither of: Discretization takes a
#: number of bins or bin boundaries (an adapted card holds boundaries).
NEEDS_ONE_OF = {"Discretization": {"num_bins": 4}}


@pytest.mark.parametrize("spec,param", [
    p for p in _all_params()
    if p.values[1].choices and p.values[0].keras_class and not p.values[0].pack
    and p.values[1].keras_arg and not p.values[1].call_arg])
def test_each_choice_is_accepted_by_keras(spec, param):
    """Every listed value of a constructor argument is taken by the Keras class itself.

    (Cards whose Keras arguments are packed from several parameters, such as Cropping2D's
    'cropping', are checked through the builder in test_builder_all_cards.py.)"""
    cls = spec.keras_type()
    required = {p.keras_arg: _sample_value(p) for p in spec.params
                if p.required and p.keras_arg and not p.call_arg}
    required.pop(param.keras_arg, None)
    required.update(NEEDS_ONE_OF.get(spec.keras_class, {}))
    for choice in param.choices:
        kwargs = dict(required, **{param.keras_arg: choice})
        for port in spec.ports:  # a layer to wrap (an RNN card's cell)
            if port.type == catalog.LAYER and port.required:
                kwargs[port.keras_arg] = (keras.layers.LSTMCell(2) if port.name == "cell"
                                          else keras.layers.LSTM(2))
        obj = cls(**kwargs)
        config = obj.get_config()
        if param.name == "dtype":  # Keras keeps a dtype policy
            assert keras.dtype_policies.get(config["dtype"]).name == choice
        elif param.keras_arg in config and param.name not in ("activation",
                                                              "recurrent_activation"):
            assert config[param.keras_arg] == choice


def _sample_value(p):
    if p.choices:
        return p.choices[0]
    if p.is_list:
        return [1] * (p.length or (2 if p.name == "axes" else 1))
    return {"Integer": 2, "Float": 0.5, "Boolean": True, "String": "x"}[p.type]


def test_activation_choices_cover_the_keras_names():
    dense = catalog.get("Dense").input("activation")
    for name in ("relu", "sigmoid", "tanh", "softmax", "linear", "gelu"):
        assert name in dense.choices
    with pytest.raises(ValueError, match="one of"):
        dense.coerce("nope")


def test_embedding_spec_as_the_issue_describes():
    spec = catalog.get("Embedding")
    assert [p.name for p in spec.params if not p.from_keras] == [
        "input_dim", "output_dim", "mask_zero", "input_length"]
    length = spec.input("Input length")
    assert length.optional and length.default is None
    assert length.coerce(None) is None and length.coerce(12) == 12
    assert spec.input("input_dim").required


def test_spec_to_dict_is_json_ready():
    for spec in catalog.cards():
        json.dumps(spec.to_dict())


def test_card_reference_docs_are_generated_from_the_current_catalogue():
    """docs/cards.md is derived from the catalogue; regenerate it when cards.json changes."""
    from pathlib import Path

    from nncards_widget.catalog.docs import render_markdown

    path = Path(__file__).resolve().parents[1] / "docs" / "cards.md"
    assert path.read_text() == render_markdown(), (
        "docs/cards.md is out of date: run `python -m nncards_widget.catalog.docs > docs/cards.md`")
    for spec in catalog.cards():
        assert f"Card id `{spec.id}`" in path.read_text()
