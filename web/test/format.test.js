// What the popups and tables show (web/src/format.js, the calibration table in
// web/src/layers/accuracy.js, legends in web/src/legend.js), in the default language (Vietnamese,
// vi-VN number format: decimal comma).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hamletFields, value } from '../src/format.js';
import { calibrationRows, residualFields } from '../src/layers/accuracy.js';
import { rateFields } from '../src/layers/quality.js';
import { labelVi, legendModel } from '../src/legend.js';

// One hamlet_coverage feature's properties as /collections/hamlet_coverage/items serves them.
const HAMLET = {
  hamlet_id: 17, name: 'Bản Nà Sản', commune_code: '04021', population: 412, rsrp_dbm: -97.25, covered: 1, good: 1, operators: 2,
  serving_site_id: 31, serving_operator: 'Viettel', fiber_distance_m: 1830, fiber_ready: 0, p_covered: 0.874, covered_p90: 0,
  rsrp_viettel_dbm: -97.25, rsrp_vnpt_dbm: -108.5, sinr_db: 7.31, dl_mbps: 18.4, serving_sector_id: 2, runner_up_site_id: 44,
  runner_up_sector_id: 1, runner_up_rsrp_dbm: -101.8, covered_in_vehicle: 1, covered_indoor: 0,
  sinr_viettel_db: 7.31, dl_mbps_viettel: 18.4, sinr_vnpt_db: -3.2, dl_mbps_vnpt: 2.1,
};

describe('hamlet popup', () => {
  it('puts signal, quality and the two strongest servers first', () => {
    const { head, operators, rest } = hamletFields(HAMLET);
    assert.deepEqual(head, ['rsrp_dbm', 'sinr_db', 'dl_mbps', 'p_covered', 'serving_site_id', 'runner_up_site_id', 'runner_up_rsrp_dbm', 'population']);
    assert.deepEqual(operators, [
      { key: 'viettel', rsrp: -97.25, sinr: 7.31, mbps: 18.4 },
      { key: 'vnpt', rsrp: -108.5, sinr: -3.2, mbps: 2.1 },
    ]);
    assert.deepEqual(rest, [
      'covered', 'good', 'operators', 'serving_operator', 'fiber_distance_m', 'fiber_ready', 'covered_p90', 'serving_sector_id',
      'runner_up_sector_id', 'covered_in_vehicle', 'covered_indoor',
    ]);
    // Nothing is lost or shown twice (name and ids are in the title).
    const shown = [...head, ...rest, ...Object.keys(HAMLET).filter((k) => /^(rsrp|sinr|dl_mbps)_.+_/.test(k) || /^dl_mbps_/.test(k))];
    assert.equal(new Set(shown).size, shown.length);
  });

  it('formats quality values with their units', () => {
    assert.equal(value('sinr_db', 7.31), '7,3 dB');
    assert.equal(value('dl_mbps', 18.44), '18,4 Mbps');
    assert.equal(value('dl_mbps_vnpt', 2.1), '2,1 Mbps');
    assert.equal(value('p_covered', 0.874), '87,4 %');
    assert.equal(value('runner_up_rsrp_dbm', -101.8), '-101,8 dBm');
    assert.equal(value('covered_p90', 0), 'Không');
    assert.equal(value('covered_in_vehicle', 1), 'Có');
    assert.equal(value('area_share_p90', 0.5), '50 %');
    assert.equal(value('sinr_db', null), '–');
    assert.equal(value('good', 1), 'Có');
    assert.equal(value('serving_sector_id', 1728), '1728', 'ids are not numbers to format');
  });

  it('finds the rate fields per operator', () => {
    assert.deepEqual(rateFields(Object.keys(HAMLET)), [
      { key: 'serving', field: 'dl_mbps' },
      { key: 'viettel', field: 'dl_mbps_viettel' },
      { key: 'vnpt', field: 'dl_mbps_vnpt' },
    ]);
  });
});

describe('calibration table', () => {
  it('shows n, offset, σ and the held-out RMSE before → after', () => {
    const rows = calibrationRows([
      { operator: 'viettel', band: 1800, n: 3412, offset_db: -4.236, sigma_db: 6.91, me_before_db: 4.2, rmse_before_db: 8.14, me_after_db: 0.1, rmse_after_db: 6.95 },
      { operator: 'vnpt', band: null, n: 12, offset_db: null, sigma_db: 7.5, rmse_before_db: null, rmse_after_db: 7.1 },
    ]);
    assert.deepEqual(rows[0], ['Viettel 1800', '3.412', '-4,2', '6,9', '8,1→7,0']);
    assert.deepEqual(rows[1], ['VNPT', '12', '–', '7,5', '–→7,1']);
    assert.deepEqual(calibrationRows(null), []);
  });

  it('colours the points by the residual before, or after, calibration', () => {
    assert.deepEqual(residualFields(['operator', 'calibrated_residual_db', 'residual_db']), [
      { key: 'before', field: 'residual_db' },
      { key: 'after', field: 'calibrated_residual_db' },
    ]);
    assert.deepEqual(residualFields(['operator']), []);
  });
});

describe('raster legends', () => {
  it('shows steps highest first and ramps with their unit', () => {
    const steps = legendModel({ type: 'steps', unit: 'dB', entries: [{ value: -200, color: '#a50026', label: 'no throughput (< −10 dB)' }, { value: -10, color: '#f46d43', label: '−10 to 0 dB' }] });
    assert.equal(steps.kind, 'rows');
    assert.deepEqual(steps.rows.map((r) => r.label), ['−10 đến 0 dB', 'không truyền được dữ liệu (< −10 dB)']);
    const ramp = legendModel({ type: 'ramp', unit: 'm', entries: [{ value: 0, color: '#000' }, { value: 3000, color: '#fff' }] });
    assert.deepEqual(ramp, { kind: 'ramp', colors: ['#000', '#fff'], lo: '0 m', hi: '3000 m' });
    const classes = legendModel({ type: 'classes', unit: 'class', entries: [{ value: 1, color: '#fec44f', label: 'covered at 50 % of locations' }, { value: 2, color: '#238b45', label: 'covered at 90 % of locations' }] });
    assert.deepEqual(classes.rows.map((r) => r.label), ['có phủ tại 90 % vị trí', 'có phủ tại 50 % vị trí']);
  });

  it('translates the service’s phrases and keeps the values', () => {
    assert.equal(labelVi('5 to 25 Mbps'), '5 đến 25 Mbps');
    assert.equal(labelVi('peak rate (≥ 22 dB)'), 'tốc độ tối đa (≥ 22 dB)');
    assert.equal(labelVi('fair (−100 to −90 dBm)'), 'khá (−100 đến −90 dBm)');
    assert.equal(labelVi('mystery words'), 'mystery words');
  });
});
