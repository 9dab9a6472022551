"""Work that survives a kernel restart: an editor kept in a file.

``NetworkEditor("mynet.cards.json")`` loads the file when it exists and then writes the graph
back after every change, so re-running the cell in a new kernel brings the network back. A
write goes to a temporary file in the same folder that then replaces the saved one
(``os.replace``), so the file always holds a whole graph, never half of one. Writes are
coalesced like the view's sync: in a kernel once after the cell or view request that changed
the graph, elsewhere at once.

A file that cannot be read as a graph raises ``GraphFileError`` and is left as it is: it is
never written over by an editor that could not load it.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

from . import serialization
from .catalog import short_repr
from ._after_cell import AfterCell
from .errors import GraphFileError

__all__ = ["GraphFile", "GraphFileWarning", "check_path"]


class GraphFileWarning(UserWarning):
    """The network could not be written to its file (the editor keeps working)."""


def check_path(path) -> Path:
    """``path`` as a ``Path`` whose folder exists, or GraphFileError saying what is wrong."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        raise GraphFileError(f"The editor's file must be a path (str or pathlib.Path), like "
                             f"NetworkEditor('mynet.cards.json'); received "
                             f"{type(path).__name__} {short_repr(path)}")
    p = Path(path).expanduser()
    if not str(path).strip() or p.is_dir():
        raise GraphFileError(f"The editor's file {str(path)!r} is a folder or empty; "
                             f"expected a file name like 'mynet.cards.json'")
    if not p.parent.is_dir():
        raise GraphFileError(f"Cannot keep the network in {str(p)!r}: the folder "
                             f"{str(p.parent)!r} does not exist")
    return p


class GraphFile:
    """Keeps ``editor``'s graph in the file at ``path`` (see the module docstring)."""

    def __init__(self, editor, path):
        self.path = check_path(path)
        self._editor = editor
        self._pending = AfterCell(self.save, f"saving the network to {self.path}")
        #: Version of the graph last written (None: nothing written yet).
        self.saved_version = None

    def read(self):
        """The saved graph, or None when the file does not exist yet. Raises GraphFileError
        naming the file when it cannot be read or is not a valid graph."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise GraphFileError(f"Cannot read the network file {str(self.path)!r}: "
                                 f"{exc}") from None
        try:
            return serialization.loads(text)
        except GraphFileError as exc:
            raise GraphFileError(f"{self.path}: {exc} (the file was left untouched)") from None

    def watch(self) -> None:
        """Save after every later change of the editor's graph."""
        self._editor.graph_model.on_change(self._changed)

    def unwatch(self) -> None:
        self._editor.graph_model.remove_listener(self._changed)

    def _changed(self, _event) -> None:
        self._pending.request()

    def save(self) -> bool:
        """Write the graph now (when it changed since the last write); True when written.
        A failure is a GraphFileWarning naming the file: the editor keeps its graph."""
        graph = self._editor.graph_model
        if graph.version == self.saved_version and self.path.exists():
            return False
        try:
            text = self._editor.to_json()
            write_atomically(self.path, text)
        except (OSError, GraphFileError) as exc:
            warnings.warn(f"The network could not be saved to {str(self.path)!r}: {exc}. "
                          f"It is still in this editor (ed.to_json()).", GraphFileWarning,
                          stacklevel=2)
            return False
        self.saved_version = graph.version
        return True


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and
    ``os.replace``: a reader sees the old file or the new one, never a part."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
