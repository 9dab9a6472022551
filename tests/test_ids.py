"""Card uids and wire ids are unique across kernels: a graph saved in one Python process and
loaded in another can always be extended, and keeps the ids it was saved with."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from nncards_widget import NetworkEditor

_QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3"}


def _python(code: str, tmp_path) -> str:
    """Run ``code`` in a new Python process (a new kernel, as far as ids go); its stdout."""
    import os

    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **_QUIET})
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


SAVE = """
from nncards_widget import NetworkEditor
ed = NetworkEditor()
x = ed.add("input", name="x", shape=[4])
d = ed.add("Dense", units=3)
ed.connect(x, d)
ed.connect(d, ed.add("output", name="y"))
open("saved.json", "w").write(ed.to_json())
"""

EXTEND = """
from nncards_widget import NetworkEditor
ed = NetworkEditor.from_json(open("saved.json").read())
d2 = ed.add("Dense", units=2)
ed.connect(ed["x"], d2)
ed.connect(d2, ed.add("output", name="z"))
ed.build()
open("extended.json", "w").write(ed.to_json())
"""


def test_a_graph_saved_in_one_process_is_extended_in_another(tmp_path):
    _python(SAVE, tmp_path)
    saved = json.loads((tmp_path / "saved.json").read_text())
    _python(EXTEND, tmp_path)  # refused or failing: the process exits with an error
    extended = json.loads((tmp_path / "extended.json").read_text())

    old_uids = [c["uid"] for c in saved["cards"]]
    old_wires = [w["id"] for w in saved["wires"]]
    uids = [c["uid"] for c in extended["cards"]]
    wires = [w["id"] for w in extended["wires"]]
    assert uids[:3] == old_uids and wires[:2] == old_wires  # a loaded graph keeps its ids
    assert len(uids) == 5 and len(set(uids)) == 5
    assert len(wires) == 4 and len(set(wires)) == 4  # every wire kept, no id twice
    assert not set(uids) & set(wires)
    # loading again in this process gives the same graph, every wire included
    assert NetworkEditor.from_json((tmp_path / "extended.json").read_text()).to_json(
        indent=None) == json.dumps(extended, separators=(", ", ": "))


def test_ids_are_short_and_readable():
    ed = NetworkEditor()
    x, d = ed.add("input", shape=[2]), ed.add("Dense", units=1)
    w = ed.connect(x, d)
    assert re.fullmatch(r"card-[0-9a-f]{8}", x.uid) and re.fullmatch(r"wire-[0-9a-f]{8}", w.id)
    assert x.uid != d.uid


def test_ids_made_in_two_processes_do_not_meet(tmp_path):
    """32 random bits each: two sets of 1000 share an id with probability ~2e-4 (a counter per
    process, as before, would give the very same ids twice)."""
    code = ("from nncards_widget.graph import new_id\n"
            "taken = set()\n"
            "for _ in range(1000):\n"
            "    taken.add(new_id('card', taken))\n"
            "print(' '.join(taken))")
    first, second = (set(_python(code, tmp_path).split()) for _ in range(2))
    assert len(first) == len(second) == 1000
    assert not first & second
