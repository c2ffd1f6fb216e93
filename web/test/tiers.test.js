// Speed tiers (web/src/layers/tiers.js): the tier of a rate, its label, and the colour steps of
// the tier view. Reference: the store's default tiers_mbps = [5, 25] (src/coverage/quality/params.rs;
// FCC 4G tier 5 Mbps) and the dl_mbps legend of src/tiles/colormap.rs `speed_tiers`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cleanTiers, tierExpression, tierLabel, tierOf, tierSteps } from '../src/layers/tiers.js';

const TIERS = [5, 25];
// /tiles/dl_mbps_any/legend.json as the service writes it with the default tiers.
const LEGEND = {
  type: 'steps',
  unit: 'Mbps',
  entries: [
    { value: 0, color: '#d73027', label: 'no data rate (0 Mbps)' },
    { value: 0.001, color: '#fdae61', label: '< 5 Mbps' },
    { value: 5, color: '#d9ef8b', label: '5 to 25 Mbps' },
    { value: 25, color: '#1a9850', label: '≥ 25 Mbps' },
  ],
};

describe('speed tiers', () => {
  it('classifies rates at the tier edges', () => {
    assert.equal(tierOf(null, TIERS), null, 'no rate: no tier');
    assert.equal(tierOf(undefined, TIERS), null);
    assert.equal(tierOf(0, TIERS), 0);
    assert.equal(tierOf(4.99, TIERS), 0);
    assert.equal(tierOf(5, TIERS), 1, '5 Mbps reaches the 5 Mbps tier');
    assert.equal(tierOf(24.9, TIERS), 1);
    assert.equal(tierOf(25, TIERS), 2);
    assert.equal(tierOf(150, [25, 5, 5]), 2, 'tiers sorted and deduplicated');
    assert.deepEqual(cleanTiers([25, 'x', -1, 5, 5]), [5, 25]);
  });

  it('labels tiers', () => {
    assert.equal(tierLabel(0, TIERS), '< 5 Mbps');
    assert.equal(tierLabel(1, TIERS), '5–25 Mbps');
    assert.equal(tierLabel(2, TIERS), '≥ 25 Mbps');
    assert.equal(tierLabel(null, TIERS), '');
  });

  it('takes the colours from the raster legend, else builds them from the tiers', () => {
    const fromLegend = tierSteps(TIERS, LEGEND);
    assert.deepEqual(fromLegend.map((s) => s.min), [0, 0.001, 5, 25]);
    assert.equal(fromLegend[3].color, '#1a9850');
    const built = tierSteps(TIERS, null);
    assert.deepEqual(built.map((s) => s.min), [0, 0.001, 5, 25]);
    // The same colours as the service's colour map (light → dark green by rank).
    assert.deepEqual(built.map((s) => s.color), LEGEND.entries.map((e) => e.color));
    assert.deepEqual(built.map((s) => s.label).slice(1), ['< 5 Mbps', '5–25 Mbps', '≥ 25 Mbps']);
    // A legend that is not a Mbps step legend is not used.
    assert.deepEqual(tierSteps(TIERS, { type: 'ramp', unit: '', entries: [{ value: 0, color: '#000' }] }).length, 4);
    assert.deepEqual(tierSteps([], null), []);
    // The service's colours carry the raster's alpha (#rrggbbaa): hamlets are drawn opaque.
    const withAlpha = { ...LEGEND, entries: LEGEND.entries.map((e) => ({ ...e, color: `${e.color}c8` })) };
    assert.deepEqual(tierSteps(TIERS, withAlpha).map((s) => s.color), LEGEND.entries.map((e) => e.color));
  });

  it('builds a MapLibre step expression, grey where there is no rate', () => {
    const e = tierExpression('dl_mbps', tierSteps(TIERS, LEGEND));
    assert.deepEqual(e[0], 'case');
    assert.deepEqual(e[1], ['==', ['get', 'dl_mbps'], null]);
    assert.deepEqual(e[3], ['step', ['to-number', ['get', 'dl_mbps'], -1], '#9e9e9e', 0, '#d73027', 0.001, '#fdae61', 5, '#d9ef8b', 25, '#1a9850']);
    assert.equal(tierExpression('dl_mbps', []), '#9e9e9e');
  });
});
