"""The card catalogue: pure data describing every card, read by everything else.

The curated cards live in ``cards.json`` beside this module; every other public class of
``keras.layers`` becomes a card generated from Keras itself (``keras_catalog``), when the
catalogue is first read. Card classes, the builder's mapping, serialization and the front-end
palette are all derived from it. Nothing here imports ipywidgets; Keras is imported once, to
generate the cards (help text is read from the installed Keras docstrings when asked for).

>>> from nncards_widget import catalog
>>> catalog.get("Embedding").id
'layer_Embedding'
"""

from __future__ import annotations

import functools
import importlib
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import state  # noqa: F401  (catalog.state: kernel-side state of preprocessing cards)
from ._shown import short_repr

__all__ = ["CardSpec", "InputSpec", "OutputSpec", "get", "cards", "ids", "categories",
           "PORT_TYPES", "PARAM_TYPES", "UnknownCardError", "TENSOR", "LAYER", "INITIALIZER",
           "REGULARIZER", "CONSTRAINT", "port_short", "geometry", "short_repr"]

#: Types of connectable ports, as the seed reference names them.
TENSOR = "NeuralNetworkTensor"
LAYER = "NeuralNetworkLayer"
INITIALIZER = "NeuralNetworkInitializer"
REGULARIZER = "NeuralNetworkRegularizer"
CONSTRAINT = "NeuralNetworkConstraint"
PORT_TYPES = (TENSOR, LAYER, INITIALIZER, REGULARIZER, CONSTRAINT)


def port_short(type_: str) -> str:
    """``NeuralNetworkTensor`` -> ``Tensor`` (for messages and wire classes)."""
    return type_.replace("NeuralNetwork", "")


@functools.lru_cache(maxsize=1)
def geometry() -> dict:
    """The card-geometry constants the view draws with (``geometry.json``, read by both sides)."""
    return json.loads(Path(__file__).with_name("geometry.json").read_text())

#: Types of parameters edited on the card.
PARAM_TYPES = ("Integer", "Float", "Boolean", "String")
#: Largest Integer parameter value: JavaScript numbers (the canvas) hold integers exactly up to it.
MAX_EXACT_INTEGER = 2**53 - 1

_CATALOG_FILE = Path(__file__).with_name("cards.json")


class UnknownCardError(KeyError):
    """A card id (or Keras class name) that the catalogue does not have."""

    def __str__(self):  # KeyError quotes its argument; show the message as written.
        return str(self.args[0])


@dataclass(frozen=True)
class InputSpec:
    """One input row of a card: a parameter (``kind == "param"``) or a connectable port."""

    label: str
    name: str
    type: str
    multiplicity: str = "1"
    kind: str = "param"
    default: Any = None
    optional: bool = False
    required: bool = False
    choices: tuple | None = None
    minimum: float | None = None
    maximum: float | None = None
    length: int | None = None
    #: A Float parameter that takes NaN and +/-infinity (none does today; refused otherwise).
    allow_nonfinite: bool = False
    keras_arg: str | None = None
    call_arg: bool = False
    #: "module.Class" built instead of the card's class when this (optional) value is set, e.g.
    #: Embedding's "Input length" -> the project's FixedLengthEmbedding.
    keras_class_if_set: str | None = None
    own_help: str | None = None
    card_id: str = ""
    #: For a Tensor port: the name of the Keras ``call()`` argument it feeds ("query", ...).
    call_name: str | None = None
    #: Other names accepted for this input (deprecated Keras argument names, e.g. LeakyReLU's
    #: ``alpha`` for ``negative_slope``).
    aliases: tuple = ()
    #: Derived from the installed Keras (a generated card, or a row added to a curated one).
    from_keras: bool = False
    #: A parameter the card shows even at its default (see ``_primary_params``).
    primary: bool = False

    @property
    def is_param(self) -> bool:
        return self.kind == "param"

    @property
    def is_port(self) -> bool:
        return self.kind == "port"

    @property
    def is_list(self) -> bool:
        return self.multiplicity == "n"

    @property
    def help(self) -> str:
        """Help text: our own words where we have them, else the installed Keras docstring."""
        if self.own_help:
            return self.own_help
        spec = get(self.card_id)
        arg = self.keras_arg or self.name
        return _keras_arg_help(spec.keras_module, spec.keras_class, arg) or ""

    def describe_allowed(self) -> str:
        """What values this parameter accepts, in words (used by error messages)."""
        if self.type in VALUE_TYPES:
            return VALUE_TYPES[self.type].allowed
        kind = {"Integer": "an integer", "Float": "a number", "Boolean": "True or False",
                "String": "a string"}[self.type]
        if self.is_list:
            kind = (f"a list of {self.length} integers" if self.length else "a list of integers")
        if self.choices:
            kind = "one of " + ", ".join(repr(c) for c in self.choices)
        bounds = []
        if self.minimum is not None:
            bounds.append(f">= {self.minimum}")
        if self.maximum is not None:
            bounds.append(f"<= {self.maximum}")
        if bounds:
            kind += " (" + " and ".join(bounds) + (" each" if self.is_list else "") + ")"
        if self.optional:
            kind += ", or None"
        return kind

    def at_default(self, value) -> bool:
        """The value is this parameter's default (as JSON: ``True`` is not ``1``, ``2.0`` is
        ``2``, a tuple is a list)."""
        return _json_same(value, self.default)

    def shown(self, value) -> bool:
        """A parameter row is on the card face unless folded: it is shown when required,
        primary, or set away from its default (js/src/geometry.ts ``paramShown``)."""
        return self.required or self.primary or not self.at_default(value)

    @property
    def accepts_none(self) -> bool:
        """None is a value of an optional parameter (Keras's own default), and the "needs a
        value" state of a required one whose catalogue default is None (a new card)."""
        return self.optional or (self.required and self.default is None)

    def coerce(self, value):
        """Check a parameter value and return it in canonical form; ValueError says why not.

        Integers pass for Floats; an integer passes for a list of known length (it is repeated,
        as Keras does for ``kernel_size=3``); a tuple passes for a list. NaN and infinities are
        refused unless the spec allows them. Messages show long values shortened.
        """
        if self.type in VALUE_TYPES:  # registered by nncards_widget.custom (Python, Graph)
            return VALUE_TYPES[self.type].coerce(self, value)
        if value is None:
            if self.accepts_none:
                return None
            raise ValueError(f"expected {self.describe_allowed()}; received None")
        if self.is_list:
            if isinstance(value, int) and not isinstance(value, bool) and self.length:
                value = [value] * self.length
            if not isinstance(value, (list, tuple)):
                raise self._refusal(value)
            if self.length and len(value) != self.length:
                raise ValueError(f"expected {self.describe_allowed()}; received {len(value)} "
                                 f"value(s) {short_repr(list(value))}")
            items = [self._coerce_scalar(v, "Integer") for v in value]
            if not items and self.required:
                raise ValueError(f"expected {self.describe_allowed()}; received an empty list")
            return items
        return self._coerce_scalar(value, self.type)

    def _refusal(self, value, with_type=False) -> ValueError:
        kind = f" ({type(value).__name__})" if with_type else ""
        return ValueError(f"expected {self.describe_allowed()}; received "
                          f"{short_repr(value)}{kind}")

    def _coerce_scalar(self, value, type_):
        ok = {
            "Integer": isinstance(value, int) and not isinstance(value, bool),
            "Float": isinstance(value, (int, float)) and not isinstance(value, bool),
            "Boolean": isinstance(value, bool),
            "String": isinstance(value, str),
        }[type_]
        if not ok and type_ == "Integer" and isinstance(value, float) and value.is_integer():
            value, ok = int(value), True  # JSON from the browser may send 3.0 for 3
        if not ok:
            raise self._refusal(value, with_type=True)
        if type_ == "Integer" and abs(value) > MAX_EXACT_INTEGER:
            raise ValueError(f"expected {self.describe_allowed()}; received {short_repr(value)} "
                             f"(larger than 2**53, beyond what the canvas holds exactly)")
        if type_ == "Float":
            try:
                value = float(value)
            except OverflowError:
                raise ValueError(f"expected {self.describe_allowed()}; received "
                                 f"{short_repr(value)} (too large for a number)") from None
            if not (math.isfinite(value) or self.allow_nonfinite):
                raise ValueError(f"expected {self.describe_allowed()}; received {value!r} "
                                 f"(a finite number is needed)")
        if self.choices and value not in self.choices:
            raise self._refusal(value)
        if type_ in ("Integer", "Float"):
            if self.minimum is not None and value < self.minimum:
                raise self._refusal(value)
            if self.maximum is not None and value > self.maximum:
                raise self._refusal(value)
        return value

    def to_dict(self) -> dict:
        d = {"label": self.label, "name": self.name, "type": self.type,
             "multiplicity": self.multiplicity, "kind": self.kind}
        if self.is_param:
            d.update(default=self.default, optional=self.optional, required=self.required,
                     choices=list(self.choices) if self.choices else None,
                     minimum=self.minimum, maximum=self.maximum, length=self.length,
                     primary=self.primary)
        else:
            d.update(optional=self.optional, required=self.required, call_name=self.call_name)
        d["help"] = self.help
        return d


@dataclass(frozen=True)
class OutputSpec:
    """One output port of a card."""

    label: str
    name: str
    type: str
    multiplicity: str = "1"
    own_help: str | None = None
    #: Which element of the list the layer call returns this port is; None: the whole return
    #: value. A call that returns a single tensor (no ``when`` output active) gives it to the
    #: port with index 0 or None.
    index: int | None = None
    #: Name of the Boolean parameter this port exists for (the port is there while it is True),
    #: e.g. ``"return_state"``.
    when: str | None = None
    from_keras: bool = False

    @property
    def help(self) -> str:
        return self.own_help or ""

    def to_dict(self) -> dict:
        return {"label": self.label, "name": self.name, "type": self.type,
                "multiplicity": self.multiplicity, "index": self.index, "when": self.when,
                "help": self.help}


@dataclass(frozen=True)
class CardSpec:
    """Everything known about one card."""

    id: str
    title: str
    category: tuple
    role: str  # layer | merge | wrapper | initializer | regularizer | constraint | input | output
    keras_class: str | None
    keras_module: str | None
    keras_doc: str | None
    inputs: tuple = field(default_factory=tuple)
    outputs: tuple = field(default_factory=tuple)
    pack: dict | None = None
    #: Tensor ports whose tensors form the list the Keras layer is called on (e.g. attention:
    #: ``["input", "input"]``, query = value). None: a single tensor port is passed as is,
    #: several (merge cards) as a list in port order.
    call_inputs: tuple | None = None
    #: What the card is, in a sentence or two (generated cards: from the Keras docstring).
    help: str = ""
    #: Keras constructor arguments that the card does not show (Keras's default is used).
    left_out: tuple = ()
    #: ``(argument, why it is not on the card)`` for each of ``left_out``.
    left_out_reasons: tuple = ()
    #: Generated from the installed Keras rather than written in ``cards.json``.
    generated: bool = False

    @property
    def params(self) -> tuple:
        return tuple(i for i in self.inputs if i.is_param)

    @property
    def ports(self) -> tuple:
        return tuple(i for i in self.inputs if i.is_port)

    @property
    def category_path(self) -> str:
        return "/".join(self.category)

    @property
    def default_name(self) -> str:
        """Base for the names of new cards of this kind (``dense``, ``glorot_normal``...)."""
        if self.keras_class:
            return _snake(self.keras_class)
        return self.id

    def input(self, key: str) -> InputSpec:
        """An input by Python name, label or accepted old Keras name (``alpha``)."""
        for i in self.inputs:
            if key in (i.name, i.label):
                return i
        for i in self.inputs:
            if key in i.aliases:
                return i
        raise KeyError(f"Card {self.id!r} has no input {key!r}; its inputs are: "
                       + ", ".join(repr(i.label) for i in self.inputs))

    def output(self, key: str) -> OutputSpec:
        """An output by Python name or label."""
        for o in self.outputs:
            if key in (o.name, o.label):
                return o
        raise KeyError(f"Card {self.id!r} has no output {key!r}; its outputs are: "
                       + ", ".join(repr(o.label) for o in self.outputs) if self.outputs else
                       f"Card {self.id!r} has no outputs")

    def keras_type(self):
        """The Keras (or project-made) class this card wraps (imports Keras)."""
        if self.id in _registered_types:
            return _registered_types[self.id]
        if not self.keras_class:
            return None
        return getattr(importlib.import_module(self.keras_module), self.keras_class)

    def to_dict(self) -> dict:
        """JSON-ready description, as the front end's palette and inspector read it."""
        return {"id": self.id, "title": self.title, "category": list(self.category),
                "role": self.role, "keras_class": self.keras_class, "keras_doc": self.keras_doc,
                "help": self.help,
                "inputs": [i.to_dict() for i in self.inputs],
                "outputs": [o.to_dict() for o in self.outputs]}


def _snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    return s.lower()


def _json_same(a, b) -> bool:
    """Equal once written as JSON (what the canvas compares): booleans apart from numbers."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_json_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_same(a[k], b[k]) for k in a)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


#: How many parameters a card shows at their defaults (the others fold into its "+" row).
PRIMARY_LIMIT = 4
#: Parameters never primary: rows every layer has, and ones rarely set.
_NOT_PRIMARY = ("trainable", "dtype", "seed", "data_format")
_NOT_PRIMARY_PREFIXES = ("lora_",)


def _primary_params(c: dict) -> set:
    """Names of a card's primary parameters: an input's own ``"primary"`` in ``cards.json``
    wins; then the first parameters the entry lists itself (a curated card's own rows, a
    generated card's first Keras arguments), PRIMARY_LIMIT in all, leaving out the rows every
    layer has (trainable, dtype) and rarely set ones (seed, data_format, lora_*)."""
    params = [i for i in c["inputs"] if i.get("kind", "param") == "param"]
    chosen = {i["name"] for i in params if i.get("primary") is True}
    own = [i for i in params
           if "primary" not in i and (c.get("generated") or not i.get("from_keras"))
           and i["name"] not in _NOT_PRIMARY and not i["name"].startswith(_NOT_PRIMARY_PREFIXES)]
    return chosen | {i["name"] for i in own[:max(0, PRIMARY_LIMIT - len(chosen))]}


def _input_from_json(card_id: str, d: dict, primary: bool = False) -> InputSpec:
    return InputSpec(
        label=d["label"], name=d["name"], type=d["type"], multiplicity=d.get("multiplicity", "1"),
        kind=d.get("kind", "param"), default=d.get("default"), optional=d.get("optional", False),
        required=d.get("required", False),
        choices=tuple(d["choices"]) if d.get("choices") else None,
        minimum=d.get("minimum"), maximum=d.get("maximum"), length=d.get("length"),
        allow_nonfinite=d.get("allow_nonfinite", False),
        keras_arg=d.get("keras_arg", d["name"]), call_arg=d.get("call_arg", False),
        keras_class_if_set=d.get("keras_class_if_set"), own_help=d.get("help"), card_id=card_id,
        call_name=d.get("call_name"), aliases=tuple(d.get("aliases", ())),
        from_keras=d.get("from_keras", False), primary=primary)


def _spec_from_json(c: dict) -> CardSpec:
    primary = _primary_params(c)
    return CardSpec(
        id=c["id"], title=c["title"], category=tuple(c["category"]), role=c["role"],
        keras_class=c.get("keras_class"), keras_module=c.get("keras_module"),
        keras_doc=c.get("keras_doc"),
        inputs=tuple(_input_from_json(c["id"], i, i["name"] in primary) for i in c["inputs"]),
        outputs=tuple(OutputSpec(label=o["label"], name=o["name"], type=o["type"],
                                 multiplicity=o.get("multiplicity", "1"), own_help=o.get("help"),
                                 index=o.get("index"), when=o.get("when"),
                                 from_keras=o.get("from_keras", False))
                      for o in c["outputs"]),
        pack=c.get("pack"),
        call_inputs=tuple(c["call_inputs"]) if c.get("call_inputs") else None,
        help=c.get("help", ""), left_out=tuple(c.get("left_out", ())),
        left_out_reasons=tuple(dict(c["left_out"]).items()
                               if isinstance(c.get("left_out"), dict) else ()),
        generated=c.get("generated", False))


def curated_entries() -> list:
    """The hand-written card entries of ``cards.json``, as stored."""
    return json.loads(_CATALOG_FILE.read_text())["cards"]


@functools.lru_cache(maxsize=None)
def _load() -> dict:
    """Every card: the curated ones, completed with what every card has, then one generated
    card per other public ``keras.layers`` class (this imports Keras, once)."""
    from .. import custom  # noqa: F401  (registers the Python value type of state rows)
    from . import keras_catalog

    entries = keras_catalog.catalogue_entries(curated_entries())
    return {c["id"]: _spec_from_json(c) for c in entries}


@functools.lru_cache(maxsize=None)
def _aliases() -> dict:
    """Lower-case id, Keras class name or Keras alias -> card id (curated cards first, but a
    merge class name gives the card taking any number of inputs: the seed's 2-input merge
    cards are reached by their ids, ``mergeLayer2_Add``)."""
    from . import keras_catalog

    table = {}
    specs = list(_load().values())
    for spec in specs:
        table[spec.id.lower()] = spec.id
    two_inputs = [s for s in specs if s.role == "merge" and not s.generated]
    for spec in [s for s in specs if s not in two_inputs] + two_inputs:
        if spec.keras_class:
            table.setdefault(spec.keras_class.lower(), spec.id)
    for alias, class_name in keras_catalog.aliases().items():
        if class_name.lower() in table:
            table.setdefault(alias.lower(), table[class_name.lower()])
    return table


#: Cards made in this kernel (custom layer classes, nested models): card id -> spec, and the
#: Keras class (or factory) each builds. Filled by ``register``; never saved.
_registered: dict = {}
_registered_types: dict = {}
#: Parameter types beyond PARAM_TYPES, registered by ``nncards_widget.custom``: type name ->
#: an object with ``coerce(input_spec, value)`` and ``allowed`` (words for messages).
VALUE_TYPES: dict = {}
#: Card-id prefixes of cards made in the kernel: ids of this form are resolved by
#: ``nncards_widget.custom`` (a registered Keras class, a nested graph), never by importing.
KERNEL_CARD_PREFIXES = ("custom:", "model:")


def register(entry: dict, keras_type) -> CardSpec:
    """Add (or replace) a card made in the kernel from a ``cards.json``-form entry; the card
    builds ``keras_type(**arguments)``. Returns its spec."""
    spec = _spec_from_json(entry)
    _registered[spec.id] = spec
    _registered_types[spec.id] = keras_type
    return spec


def get(card) -> CardSpec:
    """The spec of a card, by card id (``"layer_Embedding"``), Keras class name
    (``"Embedding"``) or layer class (a custom ``keras.layers.Layer`` subclass becomes a card)."""
    if isinstance(card, CardSpec):
        return card
    if isinstance(card, type):
        from .. import custom

        return custom.spec_for_class(card)
    specs = _load()
    if card in specs:
        return specs[card]
    if card in _registered:
        return _registered[card]
    if isinstance(card, str) and card.startswith(KERNEL_CARD_PREFIXES):
        from .. import custom

        return custom.resolve(card)  # UnknownCardError naming the class when it cannot
    key = _aliases().get(str(card).lower())
    if key is None:
        close = [s for s in specs if str(card).lower() in s.lower()][:5]
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise UnknownCardError(f"Unknown card {card!r}: not a card id or Keras class name of the "
                               f"catalogue.{hint} (catalog.ids() lists them all.)")
    return specs[key]


def cards() -> list:
    """Every card spec, in catalogue order."""
    return list(_load().values())


def ids() -> list:
    return list(_load())


def categories() -> dict:
    """Category path -> list of card ids, in catalogue order."""
    out: dict = {}
    for spec in _load().values():
        out.setdefault(spec.category_path or "Network", []).append(spec.id)
    return out


@functools.lru_cache(maxsize=None)
def _keras_arg_help(module: str | None, cls: str | None, arg: str) -> str | None:
    """The description of ``arg`` in the class docstring (Keras or project-made), if any."""
    if not module or not cls:
        return None
    from .keras_catalog import arg_docs

    try:
        klass = getattr(importlib.import_module(module), cls)
    except Exception:  # pragma: no cover - a broken Keras install
        return None
    # The class's own docstring first, then its bases' (shared arguments are documented once).
    return arg_docs(klass).get(arg)
