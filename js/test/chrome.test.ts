import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MIN_CANVAS_SHARE, PANEL_WIDTH, panelPlaces } from '../src/chrome';

const both = { palette: true, inspector: true };

test('wide: both panels beside the canvas, which keeps at least 60% of the width', () => {
  const width = 1400;
  assert.deepEqual(panelPlaces(width, both), { palette: 'docked', inspector: 'docked' });
  assert.ok(width - PANEL_WIDTH.palette - PANEL_WIDTH.inspector >= MIN_CANVAS_SHARE * width);
});

test('middle widths: the inspector stays beside the canvas, the palette floats over it', () => {
  assert.deepEqual(panelPlaces(1000, both), { palette: 'overlay', inspector: 'docked' });
  assert.deepEqual(panelPlaces(1000, { palette: true, inspector: false }), { palette: 'docked', inspector: 'closed' });
});

test('narrow: one panel floats over the canvas, a second one does not open', () => {
  assert.deepEqual(panelPlaces(530, both), { palette: 'docked', inspector: 'overlay' });
  assert.deepEqual(panelPlaces(450, both), { palette: 'closed', inspector: 'overlay' });
  assert.deepEqual(panelPlaces(530, { palette: true, inspector: false }), { palette: 'docked', inspector: 'closed' });
  assert.deepEqual(panelPlaces(400, { palette: true, inspector: false }), { palette: 'overlay', inspector: 'closed' });
});

test('closed panels stay closed at any width', () => {
  for (const w of [400, 800, 2000]) {
    assert.deepEqual(panelPlaces(w, { palette: false, inspector: false }), { palette: 'closed', inspector: 'closed' });
  }
});
