"""Card reference documentation, generated from the catalogue.

    python -m nncards_widget.catalog.docs > docs/cards.md

Help text here is the catalogue's own words only; where a parameter has none, the card links to
the Keras documentation (the editor's inspector shows the installed Keras docstring instead).
Cards generated from Keras are marked, with the Keras arguments they leave at their default; the
``keras.layers`` classes that are not cards are listed with the reason.
"""

from __future__ import annotations

import sys

from . import cards, categories, get, port_short
from .keras_catalog import EXCLUDED, aliases


def _type_text(inp) -> str:
    kind = port_short(inp.type)
    if inp.is_list:
        kind = f"list of {kind}" + (f" ({inp.length})" if inp.length else "")
    return kind


def _default_text(inp) -> str:
    if not inp.is_param:
        return "wire"
    if inp.required:
        return "**required**" if inp.is_param else "wire (**required**)"
    if inp.default is None:
        return "none (Keras default)" if inp.optional else "—"
    return f"`{inp.default!r}`"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def card_section(card_id: str) -> str:
    spec = get(card_id)
    wraps = (f"`{spec.keras_module}.{spec.keras_class}`" if spec.keras_class else
             "the network's " + spec.role)
    lines = [f"### {spec.title}", "",
             f"Card id `{spec.id}` · wraps {wraps}"
             + (f" · [Keras docs]({spec.keras_doc})" if spec.keras_doc else "")
             + (" · generated from Keras" if spec.generated else ""), ""]
    names = sorted(a for a, c in aliases().items() if c == spec.keras_class)
    if spec.keras_module == "keras.layers" and names and get(spec.keras_class) is spec:
        lines += ["Also found as " + ", ".join(f"`{n}`" for n in names) + ".", ""]
    if spec.help:
        lines += [_cell(spec.help), ""]
    if spec.inputs:
        lines += ["| Input | Python name | Type | Default | Allowed | Help |",
                  "|---|---|---|---|---|---|"]
        for inp in spec.inputs:
            allowed = inp.describe_allowed() if inp.is_param else "—"
            name = f"`{inp.name}`" + "".join(f" (or `{a}`)" for a in inp.aliases)
            if inp.call_name:
                name += f" → call `{inp.call_name}`"
            lines.append(f"| {inp.label} | {name} | {_type_text(inp)} | "
                         f"{_default_text(inp)} | {_cell(allowed)} | {_cell(inp.own_help or '')} |")
        lines.append("")
    if spec.outputs:
        lines += ["| Output | Type | Help |", "|---|---|---|"]
        for out in spec.outputs:
            help_ = out.help or (f"The configured {port_short(out.type).lower()}: wire it into a "
                                 f"matching {port_short(out.type)} port of a layer card.")
            if out.when:
                help_ += f" (Present while `{out.when}` is True.)"
            lines.append(f"| {out.label} | {port_short(out.type)} | {_cell(help_)} |")
        lines.append("")
    return "\n".join(lines)


def render_markdown() -> str:
    """The whole card reference as Markdown."""
    groups = categories()
    parts = ["# Card reference", "",
             "Generated from `nncards_widget/catalog/cards.json` by "
             "`python -m nncards_widget.catalog.docs`; do not edit by hand.", "",
             f"{sum(len(v) for v in groups.values())} cards in {len(groups)} groups: "
             f"{sum(not s.generated for s in cards())} written in `cards.json`, the others "
             f"generated from the installed Keras (one per public class of `keras.layers`).", ""]
    for group, ids in groups.items():
        parts += [f"## {group.replace('/', ' › ')}", ""]
        parts += [card_section(cid) for cid in ids]
    parts += ["## Keras layers that are not cards", "",
              "| Class | Why |", "|---|---|"]
    parts += [f"| `keras.layers.{name}` | {_cell(why)} |" for name, why in EXCLUDED.items()]
    return "\n".join(parts).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(render_markdown())
