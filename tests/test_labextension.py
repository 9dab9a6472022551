"""The JupyterLab extension is installed where JupyterLab finds it, enabled and OK."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_labextension_listed_enabled_ok():
    out = subprocess.run(
        [sys.executable, "-m", "jupyterlab.labextensions", "list"],
        capture_output=True, text=True, timeout=120,
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr)
    line = next((ln for ln in text.splitlines() if ln.strip().startswith("nncards-widget ")), None)
    assert line is not None, f"nncards-widget is not listed by `jupyter labextension list`:\n{text}"
    assert re.search(r"\benabled\b", line) and re.search(r"\bOK\b", line), line
    # ipycytoscape's extension shares jupyter-cytoscape/cytoscape with ours at run time.
    assert re.search(r"jupyter-cytoscape .*enabled.*OK", text), text


def test_installed_extension_is_this_checkout():
    from jupyter_core.paths import jupyter_path

    installed = [Path(p) / "nncards-widget" for p in jupyter_path("labextensions")]
    found = [p for p in installed if (p / "package.json").exists()]
    assert found, f"no nncards-widget in {installed}"
    meta = json.loads((found[0] / "package.json").read_text())
    src = json.loads((ROOT / "js" / "package.json").read_text())
    assert meta["name"] == src["name"] == "nncards-widget"
    assert meta["version"] == src["version"]
    assert (found[0] / "static").is_dir() and any((found[0] / "static").glob("remoteEntry.*.js"))
