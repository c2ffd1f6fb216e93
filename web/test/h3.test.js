// The H3 hexagon view (web/src/layers/h3.js): the colour choices from the layer's fields and the
// store's speed tiers, and the fill expression at the overview and the full zooms. Reference: the
// service's default tiers_mbps = [5, 25] (src/coverage/quality/params.rs `tier_key`: 5 → "5mbps",
// 2.5 → "2_5mbps") and the overview's `<field>_<operator>` names (src/tiles/overview.rs).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { h3Choices, h3Color, h3Property, tierKey, OVERVIEW_BELOW_ZOOM } from '../src/layers/h3.js';

const FIELDS = ['h3_index', 'operator', 'area_share_p90', 'mean_rsrp_dbm', 'population', 'mean_dl_mbps', 'area_share_5mbps', 'area_share_25mbps'];
const STOPS = [0, '#ffffcc', 1, '#006837'];

// Evaluate the subset of MapLibre expressions h3Color uses, on a feature's properties.
function evaluate(e, props) {
  if (!Array.isArray(e)) return e;
  const [op, ...a] = e;
  const v = (x) => evaluate(x, props);
  switch (op) {
    case 'get':
      return props[a[0]] ?? null;
    case 'to-number': {
      const x = v(a[0]);
      return x === null || !Number.isFinite(+x) ? v(a[1]) : +x;
    }
    case 'case':
      for (let i = 0; i + 1 < a.length; i += 2) if (v(a[i])) return v(a[i + 1]);
      return v(a[a.length - 1]);
    case '==':
      return v(a[0]) === v(a[1]);
    case '>':
      return v(a[0]) > v(a[1]);
    case '/':
      return v(a[0]) / v(a[1]);
    case 'interpolate': {
      const x = v(a[1]);
      return x <= a[2] ? `${a[3]}@0` : x >= a[a.length - 2] ? `${a[a.length - 1]}@1` : `mix@${x}`;
    }
    default:
      throw new Error(`unexpected ${op}`);
  }
}

describe('H3 hexagon view', () => {
  it('offers the 90 % share and each speed tier the layer has', () => {
    assert.deepEqual(h3Choices(FIELDS, [25, 5]), [
      { field: 'area_share_p90', tier: null },
      { field: 'area_share_5mbps', tier: 5 },
      { field: 'area_share_25mbps', tier: 25 },
    ]);
    assert.deepEqual(h3Choices(FIELDS, [5, 10]).map((c) => c.field), ['area_share_p90', 'area_share_5mbps'], 'a tier the layer lacks is not offered');
    assert.deepEqual(h3Choices(FIELDS.slice(0, 5), [5, 25]).map((c) => c.field), ['area_share_p90'], 'a store before the speed tiers');
    assert.deepEqual(h3Choices([], [5]), []);
    assert.equal(tierKey(2.5), '2_5mbps');
    assert.equal(tierKey(25), '25mbps');
  });

  it('reads the overview fields below zoom 11 and the rows from it', () => {
    assert.equal(OVERVIEW_BELOW_ZOOM, 11);
    assert.equal(h3Property('area_share_5mbps', 'viettel', true), 'area_share_5mbps_viettel');
    assert.equal(h3Property('area_share_5mbps', 'viettel', false), 'area_share_5mbps');
    const low = h3Color('area_share_25mbps', 'any', true, STOPS);
    assert.equal(evaluate(low, { area_share_25mbps_any: 1, area_share_25mbps_vnpt: 0 }), '#006837@1');
    assert.equal(evaluate(low, { area_share_25mbps_any: 0.4 }), 'mix@0.4');
    assert.equal(evaluate(low, { area_share_25mbps_vnpt: 1 }), 'rgba(0,0,0,0)', 'unknown (no rate raster): not drawn as 0');
    const full = h3Color('area_share_p90', 'vnpt', false, STOPS);
    assert.equal(evaluate(full, { area_share_p90: 0 }), '#ffffcc@0');
    assert.equal(evaluate(full, { area_share_p90: 50 }), 'mix@0.5', 'a percentage still reads as a share');
  });
});
