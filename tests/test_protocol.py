"""One protocol: the kernel's table (protocol.py), its handlers, the TypeScript request types
(js/src/protocol.ts) and docs/protocol.md all name the same requests and fields."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from nncards_widget import NetworkEditor, protocol

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "js" / "src" / "protocol.ts"
DOC = ROOT / "docs" / "protocol.md"

_ids = itertools.count(1)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


def _python_table() -> dict:
    """{request: {field: (type, optional)}} as protocol.py declares it."""
    return {name: {f.name: (f.type, not f.required) for f in spec.fields}
            for name, spec in protocol.REQUESTS.items()}


def _ts_table() -> tuple:
    text = TS.read_text()
    table, interfaces = {}, {}
    for iface, body in re.findall(r"export interface (\w+Request) \{\n(.*?)\n\}", text, re.S):
        lines = [ln.strip() for ln in body.splitlines() if ln.strip()]
        first = re.fullmatch(r"type: '(\w+)';", lines[0])
        assert first, f"{iface}: the first member must be type: '<name>'; found {lines[0]!r}"
        name = first.group(1)
        fields = {}
        for ln in lines[1:]:
            m = re.fullmatch(r"(\w+)(\?)?: (.+);", ln)
            assert m, f"{iface}: cannot read member {ln!r}"
            fields[m.group(1)] = (m.group(3), bool(m.group(2)))
        table[name] = fields
        interfaces[name] = iface
    union = re.search(r"export type Request = (.+?);", text, re.S)
    assert union, "protocol.ts must declare `export type Request = ... ;`"
    members = [m.strip() for m in union.group(1).split("|")]
    return table, interfaces, members


def _doc_table() -> dict:
    """{request: ({field: optional}, [result keys])} from the request table of the document."""
    table = {}
    section = DOC.read_text().split("## Requests", 1)[1].split("\n## ", 1)[0]
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not re.fullmatch(r"`\w+`", cells[0]) or cells[1] == "fields":
            continue
        names = re.findall(r"`(\w+\??)`", cells[1])
        fields = {n.rstrip("?"): n.endswith("?") for n in names}
        results = re.findall(r"`(\w+)`", cells[2])
        table[cells[0].strip("`")] = (fields, results)
    return table


def test_python_handlers_match_the_protocol_table():
    handlers = {n[len("_request_"):] for n in dir(NetworkEditor) if n.startswith("_request_")}
    assert handlers == set(protocol.REQUESTS)


def test_typescript_request_types_match_python():
    if not TS.exists():
        pytest.fail(f"{TS} is missing: the view's request types must be declared there")
    table, interfaces, members = _ts_table()
    assert table == _python_table()
    for name, iface in interfaces.items():
        assert iface == _pascal(name) + "Request"
    assert sorted(members) == sorted(interfaces.values())


def test_document_lists_the_same_requests_fields_and_results():
    doc = _doc_table()
    assert set(doc) == set(protocol.REQUESTS)
    for name, spec in protocol.REQUESTS.items():
        fields, results = doc[name]
        assert fields == {f.name: not f.required for f in spec.fields}, name
        assert results == list(spec.result), name


def test_kernel_messages_are_declared_in_typescript_and_documented():
    ts, doc = TS.read_text(), DOC.read_text()
    bodies = re.findall(r"export interface \w+ \{\n(.*?)\n\}", ts, re.S)
    for name, keys in protocol.MESSAGES.items():
        body = [b for b in bodies if f"type: '{name}';" in b]
        assert len(body) == 1, f"protocol.ts declares no interface of the '{name}' message"
        assert set(re.findall(r"^  (\w+):", body[0], re.M)) == set(keys), name
        assert f'{{"type": "{name}"' in doc, f"docs/protocol.md does not show the '{name}' message"


def request(ed, type_, **fields):
    return ed._handle_view_request(ed, {"request_id": next(_ids), "type": type_, **fields}, None)


def test_every_request_answers_with_its_declared_result_keys():
    ed = NetworkEditor()
    x = ed.add("input", name="x", shape=[3])
    results = {}
    r = request(ed, "add", card_id="layer_Dense", position={"x": 400, "y": 100},
                params={"units": 2})
    results["add"] = r
    d = r["result"]["uid"]
    results["connect"] = r = request(ed, "connect", source=x.uid, target=d)
    wire = r["result"]["wire"]["id"]
    results["disconnect"] = request(ed, "disconnect", wire=wire)
    results["set_param"] = request(ed, "set_param", uid=d, name="units", value=4)
    results["move"] = request(ed, "move", positions={d: {"x": 10, "y": 10}})
    results["remove"] = r = request(ed, "remove", cards=[d])
    results["restore"] = request(ed, "restore", cards=r["result"]["removed"]["cards"],
                                 wires=r["result"]["removed"]["wires"])
    results["undo"] = request(ed, "undo")
    results["redo"] = request(ed, "redo")
    results["catalog"] = request(ed, "catalog")
    results["to_json"] = request(ed, "to_json")
    results["load"] = request(ed, "load", graph=results["to_json"]["result"]["graph"])
    results["previews"] = request(ed, "previews", cards=[x.uid])
    assert set(results) == set(protocol.REQUESTS)
    for name, reply in results.items():
        assert reply["ok"], (name, reply["error"])
        assert sorted(reply["result"]) == sorted(protocol.REQUESTS[name].result), name


def test_connect_without_ports_chooses_the_default_ports_in_the_kernel():
    ed = NetworkEditor()
    lstm = ed.add("LSTM", units=2)
    bi = ed.add("Bidirectional")
    x = ed.add("input", name="x", shape=[5, 3])
    # A wire dropped on the card body: the target port is chosen by the kernel.
    r = request(ed, "connect", source=lstm.uid, source_port="layer_instance", target=bi.uid)
    assert r["ok"] and r["result"]["wire"]["target_port"] == "layer"
    r = request(ed, "connect", source=x.uid, target=bi.uid)
    assert r["ok"] and r["result"]["wire"]["source_port"] == "data"
    assert r["result"]["wire"]["target_port"] == "input"


@pytest.mark.parametrize("message, words", [
    ({"type": "add"}, ["'add'", "missing field 'card_id'"]),
    ({"type": "add", "card_id": "layer_Dense", "colour": "red"}, ["unknown field 'colour'"]),
    ({"type": "add", "card_id": 7}, ["'card_id'", "must be a string", "7"]),
    ({"type": "add", "card_id": "layer_Dense", "position": {"x": 1}}, ["'position'", "point"]),
    ({"type": "move", "positions": {"card1": {"x": "1", "y": 2}}}, ["'positions'"]),
    ({"type": "move", "positions": {"card1": {"x": 10 ** 400, "y": 2}}}, ["'positions'"]),
    ({"type": "remove", "cards": "card1"}, ["'cards'", "list of strings"]),
    ({"type": "disconnect"}, ["missing field 'wire'"]),
    ({"type": "set_param", "uid": "card1", "name": "units"}, ["missing field 'value'"]),
    ({"type": "undo", "steps": 2}, ["unknown field 'steps'"]),
    ({"type": "explode"}, ["Unknown request 'explode'", "add", "redo"]),
])
def test_malformed_requests_are_refused_naming_the_field(message, words):
    ed = NetworkEditor()
    ed.add("Dense", units=2)
    before = ed.to_json()
    reply = ed._handle_view_request(ed, {"request_id": 1, **message}, None)
    assert not reply["ok"]
    for w in words:
        assert w in reply["error"], (w, reply["error"])
    assert ed.to_json() == before
