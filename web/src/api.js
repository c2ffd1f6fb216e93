// The service's APIs, addressed relative to the page so the map also works behind a reverse proxy
// under a path prefix. Every answer is cached for the page's life (the store does not change
// under a running page; a rebuild means a reload).

/// The page's directory URL, ending in '/'.
export const BASE = location.href.replace(/[?#].*$/, '').replace(/[^/]*$/, '');

const cache = new Map();

export class ApiError extends Error {
  constructor(url, status, detail) {
    super(`${url}: ${status}${detail ? ` ${detail}` : ''}`);
    this.status = status;
  }
}

/// GET a JSON resource (path relative to BASE); rejects with ApiError on a non-2xx answer.
export function getJSON(path) {
  if (!cache.has(path)) {
    const p = fetch(BASE + path, { headers: { Accept: 'application/json' } }).then(async (r) => {
      if (!r.ok) {
        let detail = '';
        try {
          const j = await r.json();
          detail = j.detail || j.error || '';
        } catch {
          detail = '';
        }
        throw new ApiError(path, r.status, detail);
      }
      return r.json();
    });
    cache.set(path, p);
    p.catch(() => cache.delete(path));
  }
  return cache.get(path);
}

/// Like getJSON, but resolves to null when the resource is absent (404) — a layer not built yet.
export async function getOptional(path) {
  try {
    return await getJSON(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

/// The catalog: {tiles: {id: entry}, tables: {id: entry}}, with helpers.
export class Catalog {
  constructor(doc) {
    this.tiles = doc.tiles || {};
    this.tables = doc.tables || {};
    this.problems = doc.problems || [];
  }
  has(id) {
    return id in this.tiles;
  }
  get(id) {
    return this.tiles[id] || this.tables[id];
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

/// The catalog the page was started with (set once by loadCatalog).
export let catalog = new Catalog({});

/// Thresholds and class palettes as the service publishes them (/catalog `thresholds`, from the
/// store's analysis parameters): the page writes none of them itself, so the map, its legends and
/// the counts agree. Filled in place by loadCatalog.
export const styles = { classColors: [], classLabels: [], healthColors: {}, covered: '#888', uncovered: '#888', coveredDbm: NaN, goodDbm: NaN };

function setStyles(th) {
  const cov = th?.coverage || {};
  styles.coveredDbm = cov.covered_dbm ?? NaN;
  styles.goodDbm = cov.good_dbm ?? NaN;
  styles.covered = cov.covered_color || styles.covered;
  styles.uncovered = cov.uncovered_color || styles.uncovered;
  const classes = th?.risk?.classes || [];
  styles.classColors.splice(0, styles.classColors.length, ...classes.map((c) => c.color));
  styles.classLabels.splice(0, styles.classLabels.length, ...classes.map((c) => c.label));
  for (const h of th?.uav?.health_classes || []) styles.healthColors[h.class] = h.color;
}

export async function loadCatalog() {
  const doc = await getJSON('catalog');
  catalog = new Catalog(doc);
  setStyles(doc.thresholds);
  return catalog;
}

/// Rows of an application API ({rows: [...]}) or null when the layer behind it is absent.
export async function rows(path) {
  const doc = await getOptional(path);
  return doc ? doc.rows || [] : null;
}

/// All features of a collection as GeoJSON (in pages of 10,000).
export async function allItems(id) {
  const out = [];
  let url = `collections/${encodeURIComponent(id)}/items?limit=10000`;
  for (let page = 0; page < 50 && url; page++) {
    const fc = await getJSON(url);
    out.push(...(fc.features || []));
    const next = (fc.links || []).find((l) => l.rel === 'next');
    url = next ? next.href.replace(BASE, '') : null;
  }
  return out;
}
