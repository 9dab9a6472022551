"""Where the editor puts a new card: below or beside the others, overlapping none.

``Placement`` indexes the placed cards' boxes in a grid of square cells and keeps the lowest
card bottom in a heap, so placing the n-th card costs about the same as placing the first
(``editor.add`` stays O(1) amortised). The editor keeps it up to date from the graph's events
and from edits made in place to a card's position dict (``TrackedPosition`` in cards.py).
"""

from __future__ import annotations

import heapq
import math

__all__ = ["Placement", "CARD_WIDTH", "GAP", "COLUMNS"]

# Card footprint on the canvas, for placing new cards without overlap.
CARD_WIDTH = 240
GAP = 50
COLUMNS = 5
_CELL = 512.0  # side of a grid cell, in canvas pixels


def _cell(v: float) -> int:
    return math.floor(v / _CELL)


class Placement:
    """Boxes of placed cards: left edge ``x``, centre ``y`` and height ``h`` (all CARD_WIDTH
    wide). A card's position is its top-left corner (js/src/geometry.ts ``cardCentre``)."""

    def __init__(self):
        self._cells: dict = {}  # (i, j) -> {uid: (x, y, h)}
        self._boxes: dict = {}  # uid -> (cell, x, y, h)
        self._bottoms: list = []  # heap of (-(y + h/2), uid, x, y); stale entries skipped
        self._tallest = 0.0

    def __len__(self):
        return len(self._boxes)

    def put(self, uid: str, position, h: float) -> None:
        """Index (or re-index) a card; a card without a complete position is not placed."""
        self.drop(uid)
        if not position or "x" not in position or "y" not in position:
            return
        x, y = float(position["x"]), float(position["y"]) + h / 2
        cell = (_cell(x), _cell(y))
        self._cells.setdefault(cell, {})[uid] = (x, y, h)
        self._boxes[uid] = (cell, x, y, h)
        self._tallest = max(self._tallest, h)
        heapq.heappush(self._bottoms, (-(y + h / 2), uid, x, y))
        if len(self._bottoms) > 2 * len(self._boxes) + 64:  # drop stale entries now and then
            self._bottoms = [(-(by + bh / 2), u, bx, by)
                             for u, (_, bx, by, bh) in self._boxes.items()]
            heapq.heapify(self._bottoms)

    def drop(self, uid: str) -> None:
        box = self._boxes.pop(uid, None)
        if box is not None:
            cell = self._cells[box[0]]
            del cell[uid]
            if not cell:
                del self._cells[box[0]]

    def clear(self) -> None:
        self.__init__()

    def bottom(self) -> float:
        """The lowest bottom edge of any placed card (0 when none is placed)."""
        heap = self._bottoms
        while heap:
            neg_bottom, uid, x, y = heap[0]
            box = self._boxes.get(uid)
            if box is not None and box[1] == x and box[2] == y:
                return -neg_bottom
            heapq.heappop(heap)
        return 0.0

    def hits(self, x: float, y: float, h: float) -> list:
        """Boxes ``(x, y, h)`` that a card of height ``h`` with its left edge at ``x`` and its
        centre at height ``y`` would overlap (with a margin of 10 pixels)."""
        reach_x = CARD_WIDTH + 10
        reach_y = (self._tallest + h) / 2 + 10
        found = []
        for i in range(_cell(x - reach_x), _cell(x + reach_x) + 1):
            for j in range(_cell(y - reach_y), _cell(y + reach_y) + 1):
                for bx, by, bh in self._cells.get((i, j), {}).values():
                    if abs(bx - x) < reach_x and abs(by - y) < (bh + h) / 2 + 10:
                        found.append((bx, by, bh))
        return found

    def free_position(self, h: float, position, n: int, last) -> dict:
        """Where a new card of height ``h`` goes: at ``position`` (or, without one, beside the
        ``last`` card's position / below every card, ``COLUMNS`` to a row, for the ``n``-th card),
        moved down until it overlaps no card."""
        if position is None:
            col = n % COLUMNS
            if col == 0 and n:
                position = {"x": 20, "y": self.bottom() + GAP}
            elif n:
                last = last or {}
                position = {"x": last.get("x", 0) + CARD_WIDTH + GAP, "y": last.get("y", 0)}
            else:
                position = {"x": 20, "y": 20}
        x, top = float(position["x"]), float(position["y"])
        for _ in range(500):  # nudge down until it overlaps no card
            hit = self.hits(x, top + h / 2, h)
            if not hit:
                break
            top = max(by + bh / 2 for _, by, bh in hit) + 20
        return {"x": x, "y": top}
