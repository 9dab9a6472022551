"""Driving the nncards card canvas in a notebook page like a user does: palette, drags, inspector.

Every displayed editor view registers read-only test hooks (js/src/testing.ts) in
``window.__nncardsTesting.views`` (``cy``, ``model``, ``cardsInfo()``, ``faceSvg(uid)``,
``portClientPoint(uid, side, port)``) so tests can compute where to press the mouse; every change
itself goes through real mouse and keyboard events.
"""

from __future__ import annotations

import json

VIEWS = "((window.__nncardsTesting || {}).views || [])"


class Canvas:
    def __init__(self, nb, index: int = 0):
        self.nb = nb
        self.page = nb.page
        self.index = index
        self.root = self.page.locator('[data-testid="nncards-editor"]').nth(index)

    # -- reading the view ---------------------------------------------------------------------
    def eval(self, expr: str, arg=None):
        """Evaluate ``expr`` with ``v`` bound to this view (and ``arg``)."""
        return self.page.evaluate(
            f"([i, arg]) => {{ const v = {VIEWS}[i]; return ({expr}); }}", [self.index, arg])

    def wait(self, expr: str, arg=None, timeout: float = 30000):
        self.page.wait_for_function(
            f"([i, arg]) => {{ const v = {VIEWS}[i]; return !!v && !!v.cy && !!({expr}); }}",
            arg=[self.index, arg], timeout=timeout)

    def wait_ready(self):
        self.root.wait_for(state="visible")
        self.wait("v.cy")

    def cards(self) -> list[dict]:
        return self.eval("v.cardsInfo()")

    def card(self, name: str) -> dict:
        for c in self.cards():
            if c["name"] == name:
                return c
        raise AssertionError(f"no card {name!r} on the canvas: {[c['name'] for c in self.cards()]}")

    def wires(self) -> list[dict]:
        return self.eval("v.cy.edges().map(e => e.data())")

    def wait_cards(self, n: int):
        self.wait("v.cardsInfo().length === arg", n)

    def wait_wires(self, n: int):
        self.wait("v.cy.edges().length === arg", n)

    def model_value(self, uid: str, name: str):
        return self.eval(
            "v.model.get('graph').get('nodes').find(m => m.get('data').id === arg[0]).get(arg[1])",
            [uid, name])

    def wait_value(self, uid: str, name: str, value):
        self.wait("JSON.stringify(v.model.get('graph').get('nodes').find(m => m.get('data').id === arg[0]).get(arg[1])) === arg[2]",
                  [uid, name, json.dumps(value, separators=(",", ":"))])

    def face(self, uid: str) -> str:
        """The SVG markup of a card's face as drawn on the canvas."""
        svg = self.eval("v.faceSvg(arg)", uid)
        assert svg is not None, f"no card {uid} on the canvas"
        return svg

    def port(self, uid: str, side: str, name: str) -> tuple[float, float]:
        p = self.eval("v.portClientPoint(arg[0], arg[1], arg[2])", [uid, side, name])
        assert p is not None, f"no {side} port {name!r} on card {uid}"
        return p["x"], p["y"]

    def status(self) -> str:
        return self.root.locator('[data-testid="nncards-status"]').inner_text()

    def toast(self) -> str:
        return self.root.locator('[data-testid="nncards-toast"] .nnc-toast-text').inner_text()

    # -- acting like a user -----------------------------------------------------------------
    def open_palette(self):
        """Show the card palette if it is hidden (it starts hidden for networks made in Python)."""
        toggle = self.root.locator('[data-testid="nncards-palette-toggle"]')
        if toggle.get_attribute("aria-pressed") == "false":
            toggle.click()

    def search(self, text: str):
        self.open_palette()
        box = self.root.locator('[data-testid="nncards-palette-search"]')
        box.fill("")
        box.type(text)

    def palette_item(self, card_id: str):
        return self.root.locator(f'[data-testid="nncards-palette-item"][data-card-id="{card_id}"]')

    def _new_uid(self, before: set[str]) -> str:
        self.wait("v.cardsInfo().length > arg", len(before))
        self.wait("v.cy.$(':selected').length === 1")
        new = [c["uid"] for c in self.cards() if c["uid"] not in before]
        assert len(new) == 1, new
        return new[0]

    def add_by_click(self, query: str, card_id: str) -> str:
        before = {c["uid"] for c in self.cards()}
        self.search(query)
        self.palette_item(card_id).click()
        return self._new_uid(before)

    def add_by_drag(self, query: str, card_id: str, to: tuple[float, float]) -> str:
        before = {c["uid"] for c in self.cards()}
        self.search(query)
        target = self.root.locator('[data-testid="nncards-canvas"]')
        box = target.bounding_box()
        self.palette_item(card_id).drag_to(
            target, target_position={"x": to[0] - box["x"], "y": to[1] - box["y"]})
        return self._new_uid(before)

    def canvas_box(self) -> dict:
        """The part of the canvas a user sees: its box less a panel floating over it (narrow
        editors show the palette or the inspector over the canvas)."""
        box = self.root.locator('[data-testid="nncards-canvas"]').bounding_box()
        classes = self.root.get_attribute("class") or ""
        x1, x2 = box["x"], box["x"] + box["width"]
        if "nnc-palette-overlay" in classes:
            p = self.root.locator('[data-testid="nncards-palette"]').bounding_box()
            x1 = max(x1, p["x"] + p["width"])
        if "nnc-inspector-overlay" in classes:
            x2 = min(x2, self.root.locator('[data-testid="nncards-inspector"]').bounding_box()["x"])
        return {"x": x1, "y": box["y"], "width": max(x2 - x1, 0), "height": box["height"]}

    def drag(self, a: tuple[float, float], b: tuple[float, float], steps: int = 12):
        m = self.page.mouse
        m.move(*a)
        m.down()
        m.move(a[0] + 3, a[1] + 3, steps=2)
        m.move(*b, steps=steps)
        m.up()

    def show_more_ports(self, uid: str):
        """Click a card's "+" row ("+ 7 ports · 4 settings"): its folded rows (initializer,
        regularizer and constraint ports, optional ports, settings at their defaults) show."""
        import re
        face = self.face(uid)
        row = re.search(r'<text x="[\d.]+" y="([\d.]+)"[^>]*data-row="more"', face)
        assert row and "− fewer" not in face, f"no folded '+' row on card {uid}"
        c = next(c for c in self.cards() if c["uid"] == uid)
        zoom = self.eval("v.cy.zoom()")
        top = c["center"]["y"] - c["height"] / 2
        self.page.mouse.click(c["center"]["x"] - c["width"] / 2 + 40,
                              top + (float(row.group(1)) - 3) * zoom)
        self.wait("v.faceSvg(arg).includes('− fewer')", uid)

    def connect(self, src_uid, src_port, dst_uid, dst_port):
        """Drag from an output port dot to an input port dot."""
        self.drag(self.port(src_uid, "output", src_port), self.port(dst_uid, "input", dst_port))

    def click_card(self, uid: str, shift: bool = False):
        c = next(c for c in self.cards() if c["uid"] == uid)
        x = c["center"]["x"]
        y = c["center"]["y"] - c["height"] / 2 + 12  # on the header
        if shift:
            self.page.keyboard.down("Shift")
        self.page.mouse.click(x, y)
        if shift:
            self.page.keyboard.up("Shift")
        self.wait("v.cy.getElementById(arg).selected()", uid)

    def click_background(self):
        box = self.canvas_box()
        self.page.mouse.click(box["x"] + 8, box["y"] + box["height"] - 8)

    def field(self, name: str):
        return self.root.locator(f'[data-testid="nncards-inspector"] [data-testid="nncards-param-{name}"]')

    def field_error(self, name: str):
        return self.root.locator(f'[data-testid="nncards-inspector"] [data-testid="nncards-param-error-{name}"]')

    def set_text(self, name: str, value: str):
        f = self.field(name)
        f.fill(value)
        f.press("Enter")

    def choose(self, name: str, value: str):
        self.field(name).select_option(value)

    def press(self, keys: str):
        """Press keys in the editor. JupyterLab may move focus to the notebook cell right after
        a click in an output (a race seen now and then in CI): give it back first, as a user
        clicking the canvas again would."""
        self.root.evaluate("el => { if (!el.contains(document.activeElement)) el.focus(); }")
        self.page.keyboard.press(keys)
