"""The view -> kernel requests, declared once for Python.

Each request has a type, fields (required or optional, with a type written as in
``js/src/protocol.ts``) and the keys of its result. The editor checks every incoming request
against this table before handling it (``check_request``), so a missing, unknown or mistyped
field is refused with a message naming the request and the field. ``tests/test_protocol.py``
checks that this table, the TypeScript interfaces and ``docs/protocol.md`` agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .catalog import short_repr
from .errors import RequestError

__all__ = ["Field", "RequestSpec", "REQUESTS", "check_request", "RequestError"]


def _is_number(v) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(v)
    except OverflowError:  # an integer too large for a float
        return False


def _is_point(v) -> bool:
    return (isinstance(v, dict) and set(v) == {"x", "y"}
            and _is_number(v["x"]) and _is_number(v["y"]))


def _is_record(v) -> bool:
    return isinstance(v, dict) and all(isinstance(k, str) for k in v)


#: TypeScript type (as written in protocol.ts) -> (check, words for messages).
TYPES = {
    "string": (lambda v: isinstance(v, str), "a string"),
    "unknown": (lambda v: True, "any value"),
    "Point": (_is_point, "a point {x: number, y: number}"),
    "Record<string, unknown>": (_is_record, "an object"),
    "Record<string, Point>": (lambda v: _is_record(v) and all(_is_point(p) for p in v.values()),
                              "an object {uid: {x: number, y: number}}"),
    "string[]": (lambda v: isinstance(v, list) and all(isinstance(s, str) for s in v),
                 "a list of strings"),
    "Record<string, unknown>[]": (lambda v: isinstance(v, list) and all(map(_is_record, v)),
                                  "a list of objects"),
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a key of TYPES
    required: bool = True

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"Field {self.name!r}: unknown type {self.type!r}")


@dataclass(frozen=True)
class RequestSpec:
    name: str
    fields: tuple = ()
    result: tuple = ()  # keys of the reply's result

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


def _spec(name, *fields, result=()):
    return RequestSpec(name, tuple(fields), tuple(result))


REQUESTS = {s.name: s for s in (
    _spec("add", Field("card_id", "string"), Field("position", "Point", False),
          Field("params", "Record<string, unknown>", False), result=("uid",)),
    _spec("remove", Field("cards", "string[]", False), Field("wires", "string[]", False),
          result=("removed",)),
    _spec("connect", Field("source", "string"), Field("source_port", "string", False),
          Field("target", "string"), Field("target_port", "string", False), result=("wire",)),
    _spec("disconnect", Field("wire", "string"), result=("wire",)),
    _spec("set_param", Field("uid", "string"), Field("name", "string"), Field("value", "unknown"),
          result=("old",)),
    _spec("move", Field("positions", "Record<string, Point>"), result=("old",)),
    _spec("restore", Field("cards", "Record<string, unknown>[]", False),
          Field("wires", "Record<string, unknown>[]", False)),
    _spec("undo", result=("label",)),
    _spec("redo", result=("label",)),
    _spec("catalog", result=("version", "cards")),
    _spec("to_json", result=("graph", "file")),
    _spec("previews", Field("cards", "string[]"), result=("made",)),
    _spec("load", Field("graph", "Record<string, unknown>"), result=("cards",)),
)}

#: Keys every request carries besides its fields.
ENVELOPE = ("type", "request_id")

#: Messages the kernel sends the view besides replies: type -> the message's keys.
MESSAGES = {
    "states": ("type", "states"),  # {model id: {trait: value}} of many cards and wires at once
}


def check_request(message) -> tuple:
    """``(request type, {field: value})`` of a request message, or RequestError naming the
    request and the field at fault."""
    if not isinstance(message, dict):
        raise RequestError(f"A request must be an object; received {short_repr(message)}")
    kind = message.get("type")
    spec = REQUESTS.get(kind) if isinstance(kind, str) else None
    if spec is None:
        raise RequestError(f"Unknown request {short_repr(kind)}; requests are: "
                           f"{', '.join(REQUESTS)}")
    names = ", ".join(f.name for f in spec.fields) or "none"
    for key in message:
        if key not in ENVELOPE and spec.field(key) is None:
            raise RequestError(f"Request '{kind}': unknown field {short_repr(key)} (its fields: "
                               f"{names})")
    values = {}
    for f in spec.fields:
        if f.name not in message:
            if f.required:
                raise RequestError(f"Request '{kind}': missing field '{f.name}' "
                                   f"({TYPES[f.type][1]})")
            continue
        value = message[f.name]
        check, words = TYPES[f.type]
        if not check(value):
            raise RequestError(f"Request '{kind}': field '{f.name}' must be {words}; received "
                               f"{short_repr(value)}")
        values[f.name] = value
    return kind, values
