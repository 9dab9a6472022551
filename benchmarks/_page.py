"""Page scripts shared by the browser benchmarks (run through ``NotebookPage.js``)."""

from __future__ import annotations


def display_timer(ready: str, timeout_ms: int = 60000) -> str:
    """A script that runs notebook cell ``arg[0]`` and returns ``[ms, view marks]`` once a new
    cytoscape core holds ``arg[1]`` nodes and ``arg[2]`` edges and, when ``arg[3]`` (ours) is
    true, ``ready`` — the body of ``(cy, v) => bool`` with ``v`` the view's testing hooks — holds;
    then two more frames are painted."""
    return """
const [index, nodes, edges, ours] = arg;
const cores = () => Array.from(document.querySelectorAll('div'))
  .map(el => el._cyreg && el._cyreg.cy).filter(cy => cy && !cy.destroyed());
const before = new Set(cores());
const frame = () => new Promise(r => requestAnimationFrame(() => r()));
const testViews = () => (window.__nncardsTesting || {}).views || [];
const ready = (cy, v) => { READY };
panel.content.activeCellIndex = index;
panel.content.deselectAll();
const t0 = performance.now();
app.commands.execute('notebook:run-cell');
for (;;) {
  await frame();
  const cy = cores().find(c => !before.has(c));
  const drawn = cy && cy.nodes().length === nodes && cy.edges().length === edges;
  const v = drawn ? testViews().find(x => x.cy === cy) : null;
  if (drawn && (!ours || (v && ready(cy, v)))) {
    await frame(); await frame();
    const total = performance.now() - t0;
    const marks = {};
    if (v) {
      for (const [k, t] of Object.entries(v.timings)) marks[k] = Math.round(t - t0);
    }
    return [total, marks];
  }
  if (performance.now() - t0 > TIMEOUT) {
    const seen = {cores: cores().length, nodes: cores().map(c => c.nodes().length)};
    throw new Error('display timed out: ' + JSON.stringify(seen));
  }
}
""".replace("READY", ready).replace("TIMEOUT", str(timeout_ms))
