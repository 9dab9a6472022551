"""The undo/redo history of one editor, kept in the kernel.

``History`` listens to the editor's ``Graph`` and records every change event. Changes are
grouped into entries: one per public call (``ed.add``, ``ed.connect``, ``card.units = 64``,
``ed.remove`` ...) or per view request, each with a label for the toolbar ("Add Dense layer
'dense'", "Move 3 cards"). Undo applies the inverse of an entry's events in reverse order, redo
applies them again; neither makes a new entry. Because the history lives in the kernel, every
view of the editor and Python share it, and it outlives page reloads.

A group that raises is rolled back: the changes it made so far are undone before the error goes
on, so a refused call or request leaves the graph as it was.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from .errors import HistoryError
from .graph import Graph, GraphEvent

__all__ = ["History", "HistoryEntry", "HistoryError"]


@dataclass
class HistoryEntry:
    """One undoable step: a label and the graph events it made, in order."""

    label: str | None
    events: list = field(default_factory=list)


class History:
    """Undo and redo stacks of changes to ``graph``.

    ``on_change(state)`` is called with ``state()`` whenever the stacks change.
    ``limit`` bounds the number of undo entries kept (the oldest go first).
    """

    def __init__(self, graph: Graph, on_change=None, limit: int = 1000):
        if not isinstance(limit, int) or limit < 1:
            raise ValueError(f"History limit must be a positive integer; received {limit!r}")
        self.graph = graph
        self.limit = limit
        self._undo: list[HistoryEntry] = []
        self._redo: list[HistoryEntry] = []
        self._open: HistoryEntry | None = None
        self._depth = 0
        self._replaying = False
        self._on_change = on_change
        graph.on_change(self._record)

    # -- reading ---------------------------------------------------------------------------
    def state(self) -> dict:
        """What the view's toolbar shows: labels of the next undo / redo and the counts."""
        return {"undo": self._undo[-1].label if self._undo else "",
                "redo": self._redo[-1].label if self._redo else "",
                "undo_count": len(self._undo), "redo_count": len(self._redo)}

    def labels(self) -> tuple:
        """(undo labels, oldest first; redo labels, next first)."""
        return [e.label for e in self._undo], [e.label for e in reversed(self._redo)]

    # -- recording -------------------------------------------------------------------------
    @contextlib.contextmanager
    def group(self, label: str | None = None):
        """Make every change inside one entry. The outermost group with a label names it
        (without one: the first inner label, else a description of the first change)."""
        outer = self._depth == 0
        if outer:
            self._open = HistoryEntry(label)
        elif self._open.label is None:
            self._open.label = label
        self._depth += 1
        try:
            yield self._open
        except BaseException:
            if outer:
                entry, self._open = self._open, None
                self._apply(entry, undo=True)
            raise
        else:
            if outer:
                entry, self._open = self._open, None
                self._push(entry)
        finally:
            self._depth -= 1

    def _record(self, event: GraphEvent) -> None:
        if self._replaying:
            return
        if self._open is not None:
            self._open.events.append(event)
        else:  # a change made outside any group (straight on the graph): an entry of its own
            self._push(HistoryEntry(None, [event]))

    def _push(self, entry: HistoryEntry) -> None:
        if not entry.events:
            return
        if entry.label is None:
            entry.label = describe(entry.events[0])
        self._undo.append(entry)
        del self._undo[:-self.limit]
        self._redo.clear()
        self._changed()

    def clear(self) -> None:
        """Forget every entry (e.g. after loading a graph into a new editor)."""
        self._undo.clear()
        self._redo.clear()
        self._changed()

    def _changed(self):
        if self._on_change is not None:
            self._on_change(self.state())

    # -- undo / redo -----------------------------------------------------------------------
    def undo(self) -> str:
        """Undo the last entry; returns its label. Raises HistoryError when there is none."""
        return self._step(self._undo, self._redo, undo=True)

    def redo(self) -> str:
        """Redo the last undone entry; returns its label. Raises HistoryError when there is none."""
        return self._step(self._redo, self._undo, undo=False)

    def _step(self, source: list, target: list, undo: bool) -> str:
        """Move the newest entry of ``source`` to ``target``, undoing or redoing its changes."""
        word = "undo" if undo else "redo"
        if self._depth:
            raise HistoryError(f"Cannot {word} while a change is being made")
        if not source:
            raise HistoryError(f"Nothing to {word}")
        entry = source.pop()
        self._apply(entry, undo=undo)
        target.append(entry)
        self._changed()
        return entry.label

    def _apply(self, entry: HistoryEntry, undo: bool) -> None:
        """Apply the entry's events backwards as inverses (undo) or forwards again (redo)."""
        events = list(reversed(entry.events)) if undo else list(entry.events)
        done = []
        self._replaying = True
        try:
            for ev in events:
                _replay(self.graph, ev, undo)
                done.append(ev)
        except Exception:
            for ev in reversed(done):  # leave the graph as it was before this attempt
                _replay(self.graph, ev, not undo)
            raise
        finally:
            self._replaying = False


def _replay(graph: Graph, ev: GraphEvent, undo: bool) -> None:
    """Make ``ev`` again (``undo=False``) or make its inverse (``undo=True``)."""
    kind = ev.kind
    if kind in ("add", "remove"):
        if (kind == "add") != undo:
            data = ev.new if kind == "add" else ev.old
            graph.add_card(data.copy(), index=ev.index)
        else:
            graph.remove_card(ev.uid)
    elif kind in ("connect", "disconnect"):
        if (kind == "connect") != undo:
            graph.add_wire(ev.wire.copy(), index=ev.index)
        else:
            graph.remove_wire(ev.wire.id)
    elif kind == "param":
        graph.set_param(ev.uid, ev.name, ev.old if undo else ev.new)
    elif kind == "move":
        graph.move(ev.uid, dict(ev.old if undo else ev.new))
    else:
        raise ValueError(f"Unknown graph event kind {kind!r}")


def describe(ev: GraphEvent) -> str:
    """A label for a change made outside any named group."""
    if ev.kind == "add":
        return f"Add {ev.new.spec.title} '{ev.new.name}'"
    if ev.kind == "remove":
        return f"Delete {ev.old.spec.title} '{ev.old.name}'"
    if ev.kind in ("connect", "disconnect"):
        return f"{'Connect' if ev.kind == 'connect' else 'Disconnect'} {ev.wire.source} -> " \
               f"{ev.wire.target}"
    if ev.kind == "param":
        return f"Set {ev.name} of {ev.uid} to {ev.new!r}"
    return f"Move {ev.uid}"
