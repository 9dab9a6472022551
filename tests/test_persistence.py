"""An editor kept in a file (``NetworkEditor("mynet.cards.json")``), the catalogue asked for once
per page instead of being synced with every editor, and the requests the view uses to keep the
graph in the notebook."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import textwrap

import pytest

from nncards_widget import GraphFileError, NetworkEditor, catalog
from nncards_widget import persistence
from nncards_widget.persistence import GraphFileWarning

_ids = itertools.count(1)


def request(ed, type_, **fields):
    return ed._handle_view_request(ed, {"request_id": next(_ids), "type": type_, **fields}, None)


def _small_network(ed):
    x = ed.add("input", name="x", shape=[4])
    d = ed.add("Dense", units=3)
    ed.connect(x, d)
    return x, d


def _saved(path) -> dict:
    return json.loads(path.read_text())


def test_a_new_file_is_created_and_follows_every_change(tmp_path):
    path = tmp_path / "net.cards.json"
    ed = NetworkEditor(path)
    assert ed.path == path
    assert _saved(path)["cards"] == []  # the file exists at once
    x, d = _small_network(ed)
    assert [c["name"] for c in _saved(path)["cards"]] == ["x", "dense"]
    assert len(_saved(path)["wires"]) == 1
    d.units = 7
    assert _saved(path)["cards"][1]["params"]["units"] == 7
    request(ed, "move", positions={d.uid: {"x": 500, "y": 20}})
    assert _saved(path)["cards"][1]["position"] == {"x": 500, "y": 20}
    ed.undo()
    assert _saved(path)["cards"][1]["position"] != {"x": 500, "y": 20}
    ed.remove(x)
    assert [c["name"] for c in _saved(path)["cards"]] == ["dense"]
    assert json.loads(ed.to_json()) == _saved(path)


def test_the_same_path_in_a_new_process_brings_the_network_back(tmp_path):
    """What a kernel restart does: a new process runs the same cell."""
    path = tmp_path / "restart.cards.json"
    ed = NetworkEditor(str(path))  # a str path as first positional argument, or path=
    x, d = _small_network(ed)
    d.units = 11
    code = textwrap.dedent(f"""
        from nncards_widget import NetworkEditor
        ed = NetworkEditor(path={str(path)!r})
        print(sorted((c.name, c.uid) for c in ed.cards), len(ed.wires), ed["dense"].units,
              ed.undo_state["undo_count"])
        ed.add("Dropout", rate=0.5)
    """)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=600, check=True).stdout.strip()
    assert out == f"{sorted([('x', x.uid), ('dense', d.uid)])} 1 11 0"
    # the other process's change is in the file, for the next one
    assert [c["card_id"] for c in _saved(path)["cards"]][-1] == "layer_Dropout"


def test_a_bad_file_is_refused_by_name_and_left_untouched(tmp_path):
    path = tmp_path / "bad.cards.json"
    text = '{"format": "nncards_widget.graph", "cards": [{"uid": "a", "card_id": "nope"'
    path.write_text(text)
    with pytest.raises(GraphFileError, match=r"bad\.cards\.json.*left untouched"):
        NetworkEditor(path)
    assert path.read_text() == text
    unknown = tmp_path / "unknown.cards.json"
    good = NetworkEditor().to_json()
    unknown.write_text(good.replace('"cards": []', '"cards": [{"uid": "c", "card_id": '
                                                   '"layer_NoSuchLayer", "name": "n"}]'))
    before = unknown.read_text()
    with pytest.raises(GraphFileError, match="layer_NoSuchLayer"):
        NetworkEditor(unknown)
    assert unknown.read_text() == before


@pytest.mark.parametrize("path, message", [
    (3, "must be a path.*received int 3"),
    ("", "folder or empty"),
    ("no/such/folder/net.json", "folder 'no/such/folder' does not exist"),
])
def test_bad_paths_are_refused_before_anything_is_made(tmp_path, monkeypatch, path, message):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GraphFileError, match=message):
        NetworkEditor(path)
    assert list(tmp_path.iterdir()) == []


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(GraphFileError, match="folder"):
        NetworkEditor(tmp_path)


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "net.cards.json"
    ed = NetworkEditor(path)
    for i in range(5):
        ed.add("Dense", units=i + 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.cards.json"]
    assert len(_saved(path)["cards"]) == 5


def test_a_failed_write_warns_and_the_editor_keeps_working(tmp_path):
    folder = tmp_path / "gone"
    folder.mkdir()
    path = folder / "net.cards.json"
    ed = NetworkEditor(path)
    path.unlink()
    folder.rmdir()  # e.g. a network drive that went away
    with pytest.warns(GraphFileWarning, match="could not be saved to .*net.cards.json"):
        ed.add("Dense", units=2)
    assert len(ed.cards) == 1
    folder.mkdir()
    ed.add("Dense", units=3)  # the next change writes the whole network again
    assert len(_saved(path)["cards"]) == 2


def test_a_file_write_waits_for_the_end_of_the_cell_in_a_kernel(tmp_path, monkeypatch):
    """Inside a running loop (a kernel), many changes in one cell make one write, after it."""
    path = tmp_path / "net.cards.json"
    writes = []
    write = persistence.write_atomically
    monkeypatch.setattr(persistence, "write_atomically",
                        lambda p, text: writes.append(text) or write(p, text))

    async def cell():
        ed = NetworkEditor(path)
        writes.clear()  # the new file's first write
        for i in range(10):
            ed.add("Dense", units=i + 1)
        assert len(_saved(path)["cards"]) == 0  # not yet: the cell is still running
        await asyncio.sleep(0)  # the cell ends
        return ed

    ed = asyncio.run(cell())
    assert len(writes) == 1
    assert len(_saved(path)["cards"]) == 10
    ed.close()


def test_close_writes_what_is_pending(tmp_path):
    path = tmp_path / "net.cards.json"

    async def cell():
        ed = NetworkEditor(path)
        ed.add("Dense", units=3)
        ed.close()  # before the end of the cell
        return ed

    asyncio.run(cell())
    assert [c["card_id"] for c in _saved(path)["cards"]] == ["layer_Dense"]


def test_an_editor_without_a_file_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ed = NetworkEditor()
    _small_network(ed)
    assert ed.path is None
    assert list(tmp_path.iterdir()) == []


# -- the catalogue, once per page -------------------------------------------------------------

def test_the_catalogue_is_not_editor_state_but_a_request():
    ed = NetworkEditor()
    state = ed.get_state()
    assert "catalog" not in state
    assert len(json.dumps(state)) < 5_000  # an empty editor is small
    reply = request(ed, "catalog")
    assert reply["ok"]
    assert reply["result"]["version"] == ed.catalog_version
    ids = [c["id"] for c in reply["result"]["cards"]]
    assert ids[:len(catalog.ids())] == catalog.ids()  # then the cards made in this kernel
    assert all(i.startswith(catalog.KERNEL_CARD_PREFIXES) for i in ids[len(catalog.ids()):])
    assert reply["result"]["cards"][0] == catalog.cards()[0].to_dict()
    assert ed.undo_state["undo_count"] == 0  # not an edit
    assert NetworkEditor().catalog_version == ed.catalog_version


def test_card_specs_hold_exactly_the_kinds_in_use():
    ed = NetworkEditor()
    assert ed.card_specs == {}
    _small_network(ed)
    ed.add("Dense", units=5)
    assert sorted(ed.card_specs) == ["input", "layer_Dense"]
    assert ed.card_specs["layer_Dense"] == catalog.get("layer_Dense").to_dict()
    state = json.dumps(ed.get_state())
    full = json.dumps(request(ed, "catalog")["result"]["cards"])
    assert len(state) < len(full) / 10


# -- keeping the graph with the notebook: to_json and load requests -----------------------------

def test_to_json_request_gives_the_graph_and_load_restores_it_as_one_step(tmp_path):
    ed = NetworkEditor()
    x, d = _small_network(ed)
    reply = request(ed, "to_json")
    assert reply["ok"] and reply["result"]["file"] is None
    graph = reply["result"]["graph"]
    assert graph == json.loads(ed.to_json())

    fresh = NetworkEditor()  # the cell run again after a restart
    reply = request(fresh, "load", graph=graph)
    assert reply["ok"], reply["error"]
    assert reply["result"] == {"cards": 2}
    assert [(c.name, c.uid) for c in fresh.cards] == [("x", x.uid), ("dense", d.uid)]
    assert len(fresh.wires) == 1
    assert fresh.undo_state["undo"] == "Load graph"
    assert fresh.undo_state["undo_count"] == 1
    fresh.undo()
    assert fresh.cards == []

    on_file = NetworkEditor(tmp_path / "n.cards.json")
    assert request(on_file, "to_json")["result"]["file"] == str(tmp_path / "n.cards.json")


def test_a_bad_graph_to_load_is_refused_and_changes_nothing():
    ed = NetworkEditor()
    ed.add("Dense", units=3)
    reply = request(ed, "load", graph={"format": "nncards_widget.graph", "schema": 1,
                                       "cards": [{"uid": "a", "card_id": "layer_Nope",
                                                  "name": "a"}], "wires": []})
    assert not reply["ok"]
    assert "layer_Nope" in reply["error"]
    assert [c.card_id for c in ed.cards] == ["layer_Dense"]
    reply = request(ed, "load", graph="not a graph")
    assert not reply["ok"] and "field 'graph' must be an object" in reply["error"]
