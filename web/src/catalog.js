// The service's catalog (`/catalog`) as the page reads it: which layers the results store has, their
// kinds, fields and bounds, and the thresholds and palettes the analyses used (`thresholds`). Pure
// (no browser APIs), so the layer registry and its tests can run under Node.

/// Operator keys as the coverage engine writes them in layer names (`rsrp_<key>`): lower case,
/// anything but ASCII letters and digits as `_` (src/coverage/layers.rs `operator_key`).
export function operatorKey(name) {
  const k = String(name ?? '').trim().toLowerCase().replace(/[^a-z0-9]/g, '_');
  return k || 'unnamed';
}

/// Display names of the operators of Sơn La; any other key is shown capitalised.
const OPERATOR_NAMES = { viettel: 'Viettel', vnpt: 'VNPT', vinaphone: 'VinaPhone', mobifone: 'MobiFone' };
export function operatorName(key) {
  return OPERATOR_NAMES[key] || String(key).replace(/^\w/, (c) => c.toUpperCase());
}

/// The catalog: {tiles: {id: entry}, tables: {id: entry}}, with helpers.
export class Catalog {
  constructor(doc) {
    this.tiles = doc.tiles || {};
    this.tables = doc.tables || {};
    this.problems = doc.problems || [];
    this.thresholds = doc.thresholds || {};
  }
  has(id) {
    return id in this.tiles;
  }
  get(id) {
    return this.tiles[id] || this.tables[id];
  }
  /// Whether `id` is a tiled vector layer.
  isVector(id) {
    return this.has(id) && this.tiles[id].kind === 'vector';
  }
  /// Whether `id` is a tiled raster layer.
  isRaster(id) {
    return this.has(id) && this.tiles[id].kind === 'raster';
  }
  /// The geometry type of a vector layer, lower case ('' when unknown).
  geometry(id) {
    return String(this.get(id)?.geometry_type || '').toLowerCase();
  }
  /// Whether a vector layer (tiles or table) has a field.
  hasField(id, name) {
    const e = this.get(id);
    return !!e && (e.fields || []).some((f) => f.name === name);
  }
  /// The first of `names` the layer has as a field.
  field(id, names) {
    const e = this.get(id);
    if (!e) return null;
    const have = new Set((e.fields || []).map((f) => f.name));
    return names.find((n) => have.has(n)) || null;
  }
  fields(id) {
    return (this.get(id)?.fields || []).map((f) => f.name);
  }
  /// Raster ids whose name matches a pattern.
  rasters(re) {
    return Object.entries(this.tiles)
      .filter(([id, e]) => e.kind === 'raster' && re.test(e.source || id))
      .map(([id]) => id);
  }
  /// The per-operator rasters of a family (`<prefix>_<operator key>`, e.g. `sinr_viettel`,
  /// `sinr_any`) as [{key, id}], "any operator" first, then by key.
  operatorRasters(prefix) {
    const re = new RegExp(`^${prefix}_([a-z0-9_]+)$`);
    return Object.entries(this.tiles)
      .filter(([id, e]) => e.kind === 'raster' && re.test(id))
      .map(([id]) => ({ key: re.exec(id)[1], id }))
      .sort((a, b) => (a.key === 'any' ? -1 : b.key === 'any' ? 1 : a.key.localeCompare(b.key)));
  }
  /// MapLibre source definition for a tiled layer.
  source(id) {
    const e = this.tiles[id];
    const s = {
      type: e.kind === 'raster' ? 'raster' : 'vector',
      tiles: [e.tiles],
      minzoom: e.minzoom ?? 0,
      maxzoom: e.maxzoom ?? 14,
    };
    if (e.bounds) s.bounds = e.bounds;
    if (e.kind === 'raster') s.tileSize = 256;
    return s;
  }
}

/// Thresholds and class palettes as the service publishes them (/catalog `thresholds`, from the
/// store's analysis parameters): the page writes none of them itself, so the map, its legends and
/// the counts agree. Filled in place by setStyles (loadCatalog in api.js).
export const styles = {
  classColors: [],
  classLabels: [],
  healthColors: {},
  covered: '#888',
  uncovered: '#888',
  coveredDbm: NaN,
  goodDbm: NaN,
  tiersMbps: [],
};

export function setStyles(th) {
  const cov = th?.coverage || {};
  styles.coveredDbm = cov.covered_dbm ?? NaN;
  styles.goodDbm = cov.good_dbm ?? NaN;
  styles.covered = cov.covered_color || styles.covered;
  styles.uncovered = cov.uncovered_color || styles.uncovered;
  styles.tiersMbps = [...(cov.tiers_mbps || [])].filter((v) => Number.isFinite(v) && v > 0).sort((a, b) => a - b);
  const classes = th?.risk?.classes || [];
  styles.classColors.splice(0, styles.classColors.length, ...classes.map((c) => c.color));
  styles.classLabels.splice(0, styles.classLabels.length, ...classes.map((c) => c.label));
  for (const h of th?.uav?.health_classes || []) styles.healthColors[h.class] = h.color;
}
