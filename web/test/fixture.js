// A /catalog document shaped like the demo store's (Sơn La, three operators, every analysis), for
// the unit tests; `without(...ids)` drops layers to model a store built without an analysis.
const B = [103.2, 20.6, 105.2, 22.0];
const raster = (id) => ({ kind: 'raster', bounds: B, minzoom: 6, maxzoom: 13, tiles: `http://x/tiles/${id}/{z}/{x}/{y}.png`, legend: `http://x/tiles/${id}/legend.json` });
const vector = (geometry_type, fields) => ({ kind: 'vector', geometry_type, bounds: B, minzoom: 5, maxzoom: 14, tiles: 'http://x/t/{z}/{x}/{y}.mvt', fields: fields.map((name) => ({ name, type: 'Real' })) });
const ops = ['viettel', 'vnpt', 'mobifone'];

export function catalogDoc() {
  const tiles = {
    hillshade: raster('hillshade'),
    province: vector('MultiPolygon', ['name']),
    coverage_probability: raster('coverage_probability'),
    hamlet_coverage: vector('Point', [
      'hamlet_id', 'name', 'commune_code', 'population', 'rsrp_dbm', 'covered', 'good', 'operators', 'serving_site_id', 'serving_operator',
      'fiber_distance_m', 'fiber_ready', 'p_covered', 'covered_p90', 'sinr_db', 'dl_mbps', 'serving_sector_id', 'runner_up_site_id',
      'runner_up_sector_id', 'runner_up_rsrp_dbm', ...ops.flatMap((o) => [`rsrp_${o}_dbm`, `sinr_${o}_db`, `dl_mbps_${o}`]),
    ]),
    commune_indicators: vector('MultiPolygon', ['code', 'name', 'share_population_4g', 'share_hamlets_4g']),
    cell_sites: vector('Point', ['name', 'operator']),
    sectors: vector('Polygon', ['site_id', 'azimuth_deg']),
    measurements: vector('Point', ['operator', 'band', 'measured_dbm', 'predicted_dbm', 'calibrated_dbm', 'residual_db', 'calibrated_residual_db', 'holdout']),
    coverage_h3: vector('Polygon', ['h3_index', 'operator', 'area_share_p90', 'mean_rsrp_dbm', 'population', 'n_measurements', 'measured_mean_dbm', 'mean_dl_mbps', 'area_share_5mbps', 'area_share_25mbps']),
    fiber_routes: vector('LineString', ['name']),
    fiber_access_points: vector('Point', ['name']),
    coverage_gaps: vector('Point', ['population', 'p_covered', 'challenged']),
    proposed_sites: vector('Point', ['rank']),
    risk_zones: vector('MultiPolygon', ['hazard', 'class']),
    hamlet_risk: vector('Point', ['landslide_class', 'flood_class', 'population']),
    orchards: vector('Polygon', ['crop']),
    orchard_health: vector('Polygon', ['health_class', 'latest']),
    'uav/f1/ndvi': { ...raster('uav/f1/ndvi'), source: 'uav/f1/ndvi' },
  };
  for (const o of ['any', ...ops]) {
    tiles[`rsrp_${o}`] = raster(`rsrp_${o}`);
    if (o !== 'any') {
      tiles[`sinr_${o}`] = raster(`sinr_${o}`);
      tiles[`dl_mbps_${o}`] = raster(`dl_mbps_${o}`);
    }
  }
  return {
    tiles,
    tables: { calibration: { kind: 'table', fields: [{ name: 'operator' }] } },
    thresholds: {
      coverage: { covered_dbm: -110, good_dbm: -100, covered_color: '#1b9e5a', uncovered_color: '#d7301f', tiers_mbps: [25, 5] },
      risk: { classes: [1, 2, 3, 4, 5].map((c) => ({ class: c, label: `c${c}`, color: `#00000${c}` })) },
      uav: { health_classes: [{ class: 'healthy', color: '#1a9850' }] },
    },
    problems: [],
  };
}

/// The fixture without some layers (tiles or tables).
export function without(...ids) {
  const doc = catalogDoc();
  for (const id of ids) {
    delete doc.tiles[id];
    delete doc.tables[id];
  }
  return doc;
}
