"""Card and Wire widget models: the Python objects that mirror what is on the canvas.

Every card is an ``ipycytoscape.Node`` whose parameters are traitlets synced with the browser, one
per parameter of its catalogue spec; ``card.units = 64`` in a cell and an edit on the canvas are the
same change. The classes are generated from the catalogue (``card_class(spec)``), never written out.
"""

from __future__ import annotations

import contextlib
import copy

import ipycytoscape
from traitlets import Any, Bool, Dict, Int, List, TraitError, TraitType, Unicode, validate

from . import catalog
from ._frontend import MODULE_NAME, MODULE_VERSION
from .errors import NotFoundError, UnknownParameterError
from .graph import CardData, WireData, is_coordinate, name_problem, new_id, port_short

__all__ = ["Card", "Wire", "PortRef", "card_class", "ParamTrait", "TrackedPosition"]


class ParamTrait(TraitType):
    """A card parameter: validated by its catalogue spec, with errors naming card and parameter."""

    info_text = "a card parameter"

    def __init__(self, spec: catalog.InputSpec, **kwargs):
        self.spec = spec
        default = copy.deepcopy(spec.default)
        # allow_none=False: None goes through validate too, where the spec says if it may be None.
        super().__init__(default_value=default, allow_none=False, **kwargs)

    def validate(self, obj, value):
        try:
            return self.spec.coerce(value)
        except ValueError as exc:
            who = f"card '{obj.name}' ({obj.spec.title})" if isinstance(obj, Card) else "card"
            raise TraitError(f"Invalid value for parameter '{self.spec.label}' "
                             f"({self.spec.name}) of {who}: {exc}") from None


class PortRef:
    """A port of a card, named by its label or Python name: ``card["Layer instance"]``."""

    def __init__(self, card: "Card", key: str):
        self.card = card
        self.key = key

    def __repr__(self):
        return f"<port {self.key!r} of card {self.card.name!r}>"


class TrackedPosition(dict):
    """A card's position ``{"x", "y"}`` as the editor's graph and the Card widget share it.

    An edit in place (``card.position["y"] = 500``) is checked like a new position and reported
    to ``on_edit()`` (the editor's placement index); copies are plain dicts.
    """

    __slots__ = ("on_edit",)

    def __init__(self, values=(), on_edit=None):
        super().__init__(values)
        self.on_edit = on_edit

    def __setitem__(self, key, value):
        if key not in ("x", "y") or not is_coordinate(value):
            raise TraitError(f"Invalid position entry {catalog.short_repr(key)}: "
                             f"{catalog.short_repr(value)}; a card position is {{'x': number, "
                             f"'y': number}} with finite numbers")
        super().__setitem__(key, float(value))
        if self.on_edit is not None:
            self.on_edit()

    def update(self, *args, **kwargs):
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def setdefault(self, key, value=None):
        if key not in self:
            self[key] = value
        return self[key]

    def _refuse(self, *args):
        raise TraitError("A card position keeps its 'x' and 'y'; set a new position instead")

    __delitem__ = pop = popitem = clear = _refuse

    def __copy__(self):
        return dict(self)

    def __deepcopy__(self, memo):
        return dict(self)

    def __reduce__(self):
        return (dict, (dict(self),))


class _Preview(Dict):
    """``card.preview``: an inspection preview, made when first read if the last inspection left
    it pending (inspection.py makes previews only when something asks for them)."""

    def get(self, obj, cls=None):
        maker = obj.__dict__.get("_preview_maker")
        if maker is not None:
            maker.made_on_read(obj)
        return super().get(obj, cls)


class _ShownAsText:
    """Cards and wires are drawn inside the editor; a cell that returns one shows its repr."""

    def _repr_mimebundle_(self, **kwargs):
        return {"text/plain": repr(self)}


class Card(_ShownAsText, ipycytoscape.Node):
    """Base of every card model; the concrete classes come from ``card_class(spec)``."""

    _model_name = Unicode("CardModel").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    spec: catalog.CardSpec = None  # set on each generated class
    #: the editor's undoable step (label -> context manager), set when the card is on one
    _edit_step = None

    card_id = Unicode(read_only=True).tag(sync=True)
    name = Unicode().tag(sync=True)
    # Filled in by live shapes / inspection; shown by the view.
    output_shape = Any(None, allow_none=True).tag(sync=True)
    param_count = Int(None, allow_none=True).tag(sync=True)
    error = Unicode("").tag(sync=True)
    stale = Bool(False).tag(sync=True)
    preview = _Preview().tag(sync=True)
    #: Names of the other cards calling this card's layer object (shared weights), set by the
    #: live shapes; empty when the layer is not shared.
    shared_by = List(Unicode()).tag(sync=True)
    #: Set by the training monitor (``ed.monitor()``): state, statistics and short series.
    training = Dict().tag(sync=True)

    def __init__(self, name=None, uid=None, position=None, **params):
        uid = uid or new_id("card")
        # Set up before the widget opens its comm (traitlets work from __new__ on): the view
        # gets the whole card in one comm_open instead of one update per trait after it.
        self._set_up(uid, name, position, params)  # a refused card opens no widget at all
        super().__init__()

    def _set_up(self, uid, name, position, params):
        self.set_trait("card_id", self.spec.id)
        self.data = {"id": uid}
        self.classes = f"card role-{self.spec.role}"
        self.name = name if name is not None else self.spec.default_name
        if position:
            if isinstance(position, dict) and all(is_coordinate(position.get(k)) for k in "xy"):
                position = {"x": float(position["x"]), "y": float(position["y"])}
            self.position = position  # anything else: refused by _check_position
        params = {_param_name(self.spec, k): v for k, v in params.items()}  # old Keras names
        unknown = [k for k in params if k not in self.param_names()]
        if unknown:
            raise UnknownParameterError(
                f"Card '{self.name}' ({self.spec.title}) has no parameter "
                f"{', '.join(map(catalog.short_repr, unknown))}; its parameters are: "
                f"{', '.join(self.param_names()) or 'none'}")
        with self.hold_trait_notifications():
            for key, value in params.items():
                setattr(self, key, value)

    @validate("name")
    def _check_name(self, proposal):
        value = proposal["value"]
        value = value.strip() if isinstance(value, str) else value
        problem = name_problem(value)
        if problem is not None:
            raise TraitError(f"Invalid name for a {self.spec.title} card: {problem}")
        return value

    @validate("position")
    def _check_position(self, proposal):
        value = proposal["value"]
        if isinstance(value, dict) and (not value or (set(value) == {"x", "y"} and all(
                is_coordinate(value[k]) for k in ("x", "y")))):
            if any(type(v) is not float for v in value.values()):  # 0 and 0.0 save alike
                value = {k: float(v) for k, v in value.items()}
            current = self._trait_values.get("position")
            if (isinstance(current, TrackedPosition) and not isinstance(value, TrackedPosition)
                    and value == current):
                return current  # unchanged: keep the dict the editor's graph shares
            return value  # the dict itself: the editor's graph shares it
        raise TraitError(f"Invalid position for card '{self.name}' ({self.spec.title}): expected "
                         f"{{'x': number, 'y': number}}; received {catalog.short_repr(value)}")

    # -- identity -------------------------------------------------------------------------
    @property
    def uid(self) -> str:
        return self.data["id"]

    @classmethod
    def param_names(cls) -> list:
        """Python names of this card's parameters (``name`` included for Input/Output)."""
        return [p.name for p in cls.spec.params]

    @property
    def params(self) -> dict:
        """Current parameter values by Python name."""
        return {n: copy.deepcopy(getattr(self, n)) for n in self.param_names()}

    def __getitem__(self, key) -> PortRef:
        """A port by its label on the card or its Python name."""
        names = {o.name for o in self.spec.outputs} | {o.label for o in self.spec.outputs}
        names |= {i.name for i in self.spec.ports} | {i.label for i in self.spec.ports}
        if not isinstance(key, str) or key not in names:
            labels = ", ".join(repr(p.label) for p in self.spec.ports + self.spec.outputs)
            raise NotFoundError(f"Card '{self.name}' ({self.spec.title}) has no port "
                                f"{catalog.short_repr(key)}; its ports are: {labels}")
        return PortRef(self, key)

    def adapt(self, data, batch_size=None, steps=None) -> None:
        """Learn a preprocessing card's state from ``data`` (as Keras's ``layer.adapt``): the
        vocabulary, mean and variance or bin boundaries the built layer is made with."""
        step = self._edit_step(f"Adapt '{self.name}' on the data") if self._edit_step else None
        with step or contextlib.nullcontext():  # every state row in one undoable step
            catalog.state.adapt(self, data, batch_size=batch_size, steps=steps)

    def to_data(self) -> CardData:
        pos = dict(self.position) if self.position else {}
        return CardData(uid=self.uid, card_id=self.spec.id, name=self.name, params=self.params,
                        position=pos)

    def __repr__(self):
        values = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if k != "name")
        return f"<{self.spec.title} card {self.name!r}" + (f": {values}>" if values else ">")


class Wire(_ShownAsText, ipycytoscape.Edge):
    """A wire from an output port of one card to an input port of another."""

    _model_name = Unicode("WireModel").tag(sync=True)
    _model_module = Unicode(MODULE_NAME).tag(sync=True)
    _model_module_version = Unicode(MODULE_VERSION).tag(sync=True)

    shape = Unicode("").tag(sync=True)

    def __init__(self, source: Card, source_port: str, target: Card, target_port: str,
                 port_type: str, wid=None):
        self.source_card = source
        self.target_card = target
        self.data = {"id": wid or new_id("wire"), "source": source.uid,
                     "target": target.uid, "source_port": source_port,
                     "target_port": target_port, "port_type": port_type}
        self.classes = f"wire type-{port_short(port_type).lower()}"
        super().__init__()  # opens the comm with the state above: one message

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def source_port(self) -> str:
        return self.data["source_port"]

    @property
    def target_port(self) -> str:
        return self.data["target_port"]

    def to_data(self) -> WireData:
        return WireData(id=self.id, source=self.data["source"], source_port=self.source_port,
                        target=self.data["target"], target_port=self.target_port)

    def __repr__(self):
        s, t = self.source_card, self.target_card
        return (f"<wire {s.name}.{s.spec.output(self.source_port).label} -> "
                f"{t.name}.{t.spec.input(self.target_port).label}>")


_classes: dict = {}


def card_class(card) -> type:
    """The Card subclass for a catalogue card (id, Keras class name or spec), made once."""
    spec = catalog.get(card)
    cls = _classes.get(spec.id)
    if cls is None:
        traits = {p.name: ParamTrait(p).tag(sync=True, label=p.label, param=True)
                  for p in spec.params if p.name != "name"}
        for p in spec.params:  # a kernel-side Python value reaches the view as its repr
            if p.type == "Python":
                traits[p.name].tag(to_json=lambda value, _widget: catalog.short_repr(value))
        cls_name = spec.id[0].upper() + spec.id[1:] + "Card"
        # Old Keras names of parameters read and set them (``card.alpha`` is ``negative_slope``),
        # unless the name is taken by the card itself (``output_shape`` is the live shape).
        renamed = {alias: _alias_property(p.name) for p in spec.params for alias in p.aliases
                   if not hasattr(Card, alias)}
        cls = type(cls_name, (Card,), {"spec": spec, "__doc__": f"{spec.title} card.",
                                       **traits, **renamed})
        _classes[spec.id] = cls
    return cls


def _param_name(spec: catalog.CardSpec, key: str) -> str:
    """The parameter's Python name for ``key``, which may be an old Keras name (``alpha``)."""
    try:
        inp = spec.input(key)
    except KeyError:
        return key
    return inp.name if inp.is_param and key in inp.aliases else key


def _alias_property(name: str) -> property:
    return property(lambda card: getattr(card, name), lambda card, v: setattr(card, name, v),
                    doc=f"Old Keras name of ``{name}``.")
