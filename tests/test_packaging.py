"""A built wheel carries the catalogue and the prebuilt JupyterLab extension, and installs
without Node."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXT = "share/jupyter/labextensions/nncards-widget"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    if not (ROOT / "nncards_widget" / "labextension" / "package.json").exists():
        pytest.fail("nncards_widget/labextension is not built: run `pip install -e .` first")
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheels = list(out.glob("nncards_widget-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_holds_the_package_the_catalogue_and_the_lab_extension(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    data = next(n.split("/data/")[0] + "/data/" for n in names if "/data/" in n)
    assert "nncards_widget/catalog/cards.json" in names
    assert "nncards_widget/editor.py" in names
    assert f"{data}{EXT}/package.json" in names
    assert f"{data}{EXT}/install.json" in names
    assert any(n.startswith(f"{data}{EXT}/static/remoteEntry.") for n in names)
    meta = json.loads(zipfile.ZipFile(wheel).read(f"{data}{EXT}/package.json"))
    assert meta["name"] == "nncards-widget"
    shared = meta["jupyterlab"]["sharedPackages"]
    for pkg in ("@jupyter-widgets/base", "jupyter-cytoscape", "cytoscape"):
        assert shared[pkg]["bundled"] is False and shared[pkg]["singleton"] is True


def test_wheel_installs_with_no_node_on_path(wheel, tmp_path):
    """In a fresh virtual environment (never the one running the tests: installing there would
    replace the package under test), with only Python on PATH."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    bindir = venv / "bin"
    env = dict(os.environ, PATH=str(bindir))  # python only: no node, no npm
    env.pop("PYTHONPATH", None)
    assert shutil.which("node", path=env["PATH"]) is None
    proc = subprocess.run([str(bindir / "python"), "-m", "pip", "install", "--no-deps",
                           "--no-index", str(wheel)],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    ext = venv / EXT
    assert (ext / "package.json").exists()
    assert list((ext / "static").glob("remoteEntry.*.js"))
