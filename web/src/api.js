// The service's APIs, addressed relative to the page so the map also works behind a reverse proxy
// under a path prefix. Every answer is cached for the page's life (the store does not change
// under a running page; a rebuild means a reload).
import { Catalog, setStyles } from './catalog.js';

/// The page's directory URL, ending in '/'.
export const BASE = typeof location === 'undefined' ? '' : location.href.replace(/[?#].*$/, '').replace(/[^/]*$/, '');

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
        // The service explains its errors in JSON ({detail} or {error}); a proxy's page may not.
        const detail = await r
          .json()
          .then((j) => j.detail || j.error || '')
          .catch(() => '');
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

export { Catalog, operatorKey, operatorName, styles } from './catalog.js';

/// The catalog the page was started with (set once by loadCatalog).
export let catalog = new Catalog({});

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
