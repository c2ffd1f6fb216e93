// The offline basemap, drawn from the store's own layers: the DEM's hillshade, the province,
// district and commune outlines, rivers, roads and towns, with labels rendered from glyphs the
// service serves itself (/fonts). Only what the catalog has is added.
import { allItems, rows } from './api.js';
import { byZoom, ROUND_LINE, vectorLayer } from './mapstyle.js';

export const FONT = ['Noto Sans Regular'];
export const FONT_BOLD = ['Noto Sans Bold'];
export const FONT_ITALIC = ['Noto Sans Italic'];

/// Names of districts and communes by code (filled by addAdminLabels), for tables and popups.
export const adminNames = new Map();

export const OPERATOR_COLORS = { viettel: '#d7263d', vnpt: '#1e6fd9', vinaphone: '#1e6fd9', mobifone: '#e89f00' };

/// The style document before any source: background, glyphs. Sprites are not used (icons are
/// drawn as circles), so nothing else is needed.
export function baseStyle(base) {
  return {
    version: 8,
    glyphs: `${base}fonts/{fontstack}/{range}.pbf`,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#eeeee6' } }],
  };
}

/// Basemap groups: id → MapLibre layer ids (for the switches).
export const BASE_GROUPS = {};

function add(map, group, layer, before) {
  map.addLayer(layer, before);
  (BASE_GROUPS[group] ||= []).push(layer.id);
}

/// `add` for a style layer over the store's vector layer `src`.
const addVector = (map, group, src, layer) => add(map, group, vectorLayer(src, layer));

const halo = { 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.4, 'text-halo-blur': 0.3 };

/// Add the basemap layers. Thematic layers are later inserted below `labels-anchor`, so labels
/// stay on top of everything.
export function addBasemap(map, cat) {
  const src = (id) => {
    if (!cat.has(id)) return false;
    if (!map.getSource(id)) map.addSource(id, cat.source(id));
    return true;
  };
  if (src('hillshade')) {
    add(map, 'hillshade', {
      id: 'hillshade',
      type: 'raster',
      source: 'hillshade',
      paint: { 'raster-opacity': 0.55, 'raster-fade-duration': 0, 'raster-brightness-min': 0.18 },
    });
  }
  // Anchor below which thematic fills go (above the hillshade, below lines and labels).
  map.addLayer({ id: 'fills-anchor', type: 'background', layout: { visibility: 'none' } });
  if (src('rivers')) {
    const w = cat.hasField('rivers', 'strahler')
      ? ['interpolate', ['linear'], ['coalesce', ['get', 'strahler'], 1], 1, 0.6, 3, 1.2, 6, 3]
      : 1;
    addVector(map, 'water', 'rivers', {
      id: 'rivers',
      type: 'line',
      paint: { 'line-color': '#5b9fd3', 'line-width': byZoom(['*', w, 0.6], ['*', w, 1.6], 12) },
      layout: ROUND_LINE,
    });
  }
  if (src('roads')) {
    const cls = cat.hasField('roads', 'class') ? ['get', 'class'] : 'district';
    const major = ['in', cls, ['literal', ['national', 'provincial']]];
    // Major roads (national, provincial) and the others: [major, other] colours and widths.
    const road = (id, [c1, c2], [lo1, lo2], [hi1, hi2], paint = {}) =>
      addVector(map, 'roads', 'roads', {
        id,
        type: 'line',
        paint: { 'line-color': ['case', major, c1, c2], 'line-width': byZoom(['case', major, lo1, lo2], ['case', major, hi1, hi2]), ...paint },
        layout: ROUND_LINE,
      });
    road('roads-casing', ['#9b6b3c', '#8f8576'], [1.6, 0.9], [6, 3.6]);
    road('roads', ['#f7d38a', '#fbfaf5'], [1, 0.4], [4, 2], { 'line-opacity': ['case', major, 1, 0.85] });
  }
  map.addLayer({ id: 'lines-anchor', type: 'background', layout: { visibility: 'none' } });
  if (src('communes')) {
    addVector(map, 'admin', 'communes', {
      id: 'commune-lines',
      type: 'line',
      minzoom: 8,
      paint: { 'line-color': '#7d7190', 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.3, 12, 1], 'line-opacity': 0.7 },
    });
    // Invisible fill so a click anywhere in a commune finds it (whatever the switches say).
    map.addLayer(vectorLayer('communes', { id: 'commune-hit', type: 'fill', paint: { 'fill-color': '#000', 'fill-opacity': 0 } }));
  }
  if (src('districts')) {
    addVector(map, 'admin', 'districts', {
      id: 'district-lines',
      type: 'line',
      paint: { 'line-color': '#5a4a70', 'line-width': byZoom(0.8, 2, 12), 'line-dasharray': [3, 1.5] },
    });
  }
  if (src('province')) {
    addVector(map, 'admin', 'province', {
      id: 'province-line',
      type: 'line',
      paint: { 'line-color': '#3b2a55', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1.5, 12, 4] },
    });
  }
  map.addLayer({ id: 'points-anchor', type: 'background', layout: { visibility: 'none' } });
  map.addLayer({ id: 'labels-anchor', type: 'background', layout: { visibility: 'none' } });
  if (cat.has('rivers') && cat.hasField('rivers', 'name')) {
    addVector(map, 'water', 'rivers', {
      id: 'river-labels',
      type: 'symbol',
      minzoom: 9,
      layout: { 'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': FONT_ITALIC, 'text-size': 11, 'text-max-angle': 30 },
      paint: { 'text-color': '#2f6f9f', ...halo },
    });
  }
  if (cat.has('roads') && cat.hasField('roads', 'name')) {
    addVector(map, 'roads', 'roads', {
      id: 'road-labels',
      type: 'symbol',
      minzoom: 11,
      layout: { 'symbol-placement': 'line', 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 10.5 },
      paint: { 'text-color': '#6b4b2a', ...halo },
    });
  }
  if (src('towns')) {
    addVector(map, 'places', 'towns', {
      id: 'towns',
      type: 'circle',
      minzoom: 8,
      paint: { 'circle-radius': 2.5, 'circle-color': '#333', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 },
    });
    addVector(map, 'places', 'towns', {
      id: 'town-labels',
      type: 'symbol',
      minzoom: 8,
      layout: {
        'text-field': ['get', 'name'],
        'text-font': FONT,
        'text-size': ['interpolate', ['linear'], ['zoom'], 8, 10, 13, 13],
        'text-variable-anchor': ['top', 'bottom', 'left', 'right'],
        'text-radial-offset': 0.6,
        'text-justify': 'auto',
      },
      paint: { 'text-color': '#222', ...halo },
    });
  }
}

/// Polygon label points: the service's indicator rows carry each commune's and district's
/// representative point; without them, the outlines' area-weighted centroids.
export async function addAdminLabels(map, cat) {
  const feats = async (level, layer) => {
    const r = cat.get(`${level}_indicators`) ? await rows(`api/indicators?level=${level}`).catch(() => null) : null;
    if (r && r.length && r[0].lon !== undefined) {
      return r.filter((x) => x.name).map((x) => point(x.lon, x.lat, x.name, x.code ?? x.id));
    }
    if (!cat.has(layer)) return [];
    const items = await allItems(layer);
    return items
      .filter((f) => f.geometry && f.properties?.name)
      .map((f) => {
        const c = centroid(f.geometry);
        return point(c[0], c[1], f.properties.name, f.properties.code ?? f.id);
      });
  };
  const [d, c] = await Promise.all([feats('district', 'districts'), feats('commune', 'communes')]);
  for (const f of [...d, ...c]) if (f.properties.code !== undefined) adminNames.set(String(f.properties.code), f.properties.name);
  map.addSource('admin-labels', {
    type: 'geojson',
    data: { type: 'FeatureCollection', features: [...d.map((f) => tag(f, 'district')), ...c.map((f) => tag(f, 'commune'))] },
  });
  add(map, 'admin', {
    id: 'commune-labels',
    type: 'symbol',
    source: 'admin-labels',
    filter: ['==', ['get', 'level'], 'commune'],
    minzoom: 9.5,
    layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': ['interpolate', ['linear'], ['zoom'], 9.5, 10, 13, 13], 'text-padding': 4 },
    paint: { 'text-color': '#4d4060', ...halo },
  });
  add(map, 'admin', {
    id: 'district-labels',
    type: 'symbol',
    source: 'admin-labels',
    filter: ['==', ['get', 'level'], 'district'],
    maxzoom: 11,
    layout: {
      'text-field': ['get', 'name'],
      'text-font': FONT_BOLD,
      'text-size': ['interpolate', ['linear'], ['zoom'], 7, 11, 10, 15],
      'text-transform': 'uppercase',
      'text-letter-spacing': 0.06,
      'text-padding': 6,
    },
    paint: { 'text-color': '#3b2a55', ...halo, 'text-halo-width': 1.8 },
  });
}

function point(lon, lat, name, code) {
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: { name, code } };
}

function tag(f, level) {
  f.properties.level = level;
  return f;
}

/// Area-weighted centroid of the largest polygon of a (Multi)Polygon.
export function centroid(g) {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : null;
  if (!polys) return g.type === 'Point' ? g.coordinates : [0, 0];
  let best = null;
  let bestA = -1;
  for (const p of polys) {
    const ring = p[0];
    let a = 0;
    let cx = 0;
    let cy = 0;
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f;
      cx += (ring[j][0] + ring[i][0]) * f;
      cy += (ring[j][1] + ring[i][1]) * f;
    }
    if (Math.abs(a) > bestA && a !== 0) {
      bestA = Math.abs(a);
      best = [cx / (3 * a), cy / (3 * a)];
    }
  }
  return best || polys[0][0][0];
}
