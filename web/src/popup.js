// Click anything: the topmost feature under the pointer (points before lines before areas) gets a
// popup with its details, completed from the APIs: a commune's indicators, a hamlet's signal and
// serving site, a site's sectors, an orchard's statistics across flights.
import * as maplibregl from 'maplibre-gl';
import { allItems, catalog, getOptional, rows } from './api.js';
import { fieldLabel, t } from './i18n.js';
import { hamletFields, value, indicatorFields, num } from './format.js';
import { el } from './legend.js';
import { operatorKey, operatorName, styles } from './catalog.js';
import { tierLabel, tierOf } from './layers/tiers.js';
import { adminNames } from './basemap.js';

const HEALTH_COLORS = styles.healthColors;
const CLASS_COLORS = styles.classColors;

const TYPE_RANK = { circle: 0, symbol: 1, line: 2, fill: 3, raster: 4 };

/// A two-column table of fields.
export function fieldTable(obj, names = Object.keys(obj)) {
  return el(
    'table',
    { class: 'kv' },
    el(
      'tbody',
      {},
      names
        .filter((k) => obj[k] !== undefined && !/^(id|lon|lat)$/.test(k))
        .map((k) => el('tr', { 'data-field': k }, el('th', { text: fieldLabel(k) }), el('td', { text: display(k, obj[k]) }))),
    ),
  );
}

/// A value as shown: codes of communes and districts as their names.
export function display(k, v) {
  if ((k === 'commune_code' || k === 'district_code') && v !== null && v !== undefined) return adminNames.get(String(v)) ?? String(v);
  if (k === 'health_class' && v) return t(`h_${v}`);
  if ((k === 'operator' || k === 'serving_operator') && v) return v === 'any' ? t('any_operator') : operatorName(operatorKey(v));
  if (k === 'crop' && v) return t(v);
  return value(k, v);
}

const byCode = new Map();
async function communeRow(code) {
  if (!byCode.has('commune')) {
    byCode.set(
      'commune',
      (catalog.get('commune_indicators') ? rows('api/indicators?level=commune') : Promise.resolve(null))
        .catch(() => null)
        .then((r) => new Map((r || []).map((x) => [String(x.code ?? x.commune_code ?? x.id), x]))),
    );
  }
  return (await byCode.get('commune')).get(String(code)) || null;
}

let sectorsBySite = null;
async function sectorsOf(siteId) {
  if (!catalog.get('sectors')) return [];
  if (!sectorsBySite) {
    sectorsBySite = allItems('sectors').then((fs) => {
      const m = new Map();
      for (const f of fs) {
        const k = String(f.properties.site_id);
        if (!m.has(k)) m.set(k, []);
        m.get(k).push(f.properties);
      }
      return m;
    });
  }
  return (await sectorsBySite).get(String(siteId)) || [];
}

const title = (text, sub) => el('div', { class: 'pp-title' }, el('strong', { text }), sub ? el('small', { text: sub }) : null);

async function communePopup(props) {
  const code = props.code ?? props.commune_code;
  const r = (await communeRow(code)) || props;
  const box = el('div', { class: 'pp', 'data-kind': 'commune' }, title(r.name ?? props.name ?? code, [t('commune'), r.district_code ? display('district_code', r.district_code) : code].filter(Boolean).join(' · ')));
  const ind = indicatorFields(r);
  box.append(ind.length ? fieldTable(r, ind) : fieldTable(props, Object.keys(props).filter((k) => k !== 'name')));
  return box;
}

async function siteName(id) {
  if (id === null || id === undefined || !catalog.get('cell_sites')) return null;
  const f = await getOptional(`collections/cell_sites/items/${encodeURIComponent(id)}`).catch(() => null);
  const op = f?.properties?.operator;
  return f?.properties ? `${f.properties.name ?? id}${op ? ` (${operatorName(operatorKey(op))})` : ''}` : String(id);
}

async function hamletPopup(props, source, fid) {
  let p = { ...props };
  const hid = p.hamlet_id ?? (source === 'hamlets' ? fid : null);
  // Complete a hamlet from the coverage layer (signal) and the base layer (name, population).
  if (hid !== null && hid !== undefined) {
    const base = source !== 'hamlets' && catalog.get('hamlets') ? await getOptional(`collections/hamlets/items/${hid}`).catch(() => null) : null;
    if (base?.properties) p = { ...base.properties, ...p };
  }
  const box = el('div', { class: 'pp', 'data-kind': 'hamlet' }, title(p.name ?? `#${hid ?? fid}`, `${t('hamlets')}${p.commune_code ? ` · ${display('commune_code', p.commune_code)}` : ''}`));
  const { head, operators, rest } = hamletFields(p);
  box.append(fieldTable(p, head));
  // The rate's speed tier next to it (tiers from the store's parameters).
  const rate = box.querySelector('tr[data-field="dl_mbps"] td');
  const tier = tierLabel(tierOf(p.dl_mbps, styles.tiersMbps), styles.tiersMbps);
  if (rate && tier) rate.append(el('small', { class: 'tier', text: ` (${tier})` }));
  if (operators.length) {
    box.append(
      el(
        'table',
        { class: 'grid ops' },
        el('thead', {}, el('tr', {}, [t('operator'), 'RSRP (dBm)', 'SINR (dB)', 'Mbps'].map((h) => el('th', { text: h })))),
        el(
          'tbody',
          {},
          operators.map((o) =>
            el('tr', { 'data-operator': o.key }, el('td', { text: operatorName(o.key) }), ...[o.rsrp, o.sinr, o.mbps].map((v) => el('td', { text: num(v, 1, 1) }))),
          ),
        ),
      ),
    );
  }
  // The rest (coverage flags, sectors, fiber) folded away: the popup stays on screen.
  if (rest.length) box.append(el('details', { class: 'pp-more' }, el('summary', { 'data-i18n': 'more', text: t('more') }), fieldTable(p, rest)));
  // Sites by name (and operator) instead of their ids.
  for (const f of ['serving_site_id', 'runner_up_site_id']) {
    if (p[f] === undefined || p[f] === null) continue;
    const cell = box.querySelector(`tr[data-field="${f}"] td`);
    // The runner-up is often another sector of the serving site: say so.
    const same = f === 'runner_up_site_id' && String(p[f]) === String(p.serving_site_id);
    siteName(p[f]).then((n) => {
      if (cell && n) cell.textContent = same ? `${n} · ${t('other_sector')}` : n;
    });
  }
  return box;
}

async function sitePopup(props, source, fid) {
  const siteId = source === 'sectors' ? props.site_id : fid;
  let p = props;
  if (source === 'sectors' && catalog.get('cell_sites')) {
    const f = await getOptional(`collections/cell_sites/items/${siteId}`).catch(() => null);
    p = f?.properties || props;
  }
  const box = el('div', { class: 'pp', 'data-kind': 'site' }, title(p.name ?? `#${siteId}`, `${t('site')} · ${p.operator ?? ''}`));
  box.append(fieldTable(p, Object.keys(p).filter((k) => !['name', 'operator'].includes(k))));
  const secs = await sectorsOf(siteId).catch(() => []);
  if (secs.length) {
    box.append(
      el('h4', { text: t('sectors') }),
      el(
        'table',
        { class: 'grid' },
        el('thead', {}, el('tr', {}, ['azimuth', 'height', 'tilt', 'band', 'eirp'].map((k) => el('th', { text: t(k) })))),
        el(
          'tbody',
          {},
          secs.map((s) =>
            el(
              'tr',
              {},
              el('td', { text: s.azimuth_deg === null || s.azimuth_deg === undefined ? 'omni' : `${num(s.azimuth_deg)}°` }),
              el('td', { text: `${num(s.height_m, 1)} m` }),
              el('td', { text: `${num((s.mech_tilt_deg || 0) + (s.elec_tilt_deg || 0), 1)}°` }),
              el('td', { text: `${num(s.frequency_mhz)} MHz` }),
              el('td', { text: `${num(s.rs_eirp_dbm, 1)} dBm` }),
            ),
          ),
        ),
      ),
    );
  }
  return box;
}

/// A small line chart of NDVI across flights.
function sparkline(hist) {
  const pts = hist.filter((h) => typeof h.ndvi_mean === 'number');
  if (pts.length < 2) return null;
  const W = 240;
  const H = 60;
  const lo = Math.min(...pts.map((p) => p.ndvi_p10 ?? p.ndvi_mean), 0.2);
  const hi = Math.max(...pts.map((p) => p.ndvi_p90 ?? p.ndvi_mean), 0.9);
  const x = (i) => 10 + (i * (W - 20)) / (pts.length - 1);
  const y = (v) => H - 8 - ((v - lo) / (hi - lo)) * (H - 16);
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('class', 'spark');
  const path = (d, cls) => {
    const p = document.createElementNS(ns, 'path');
    p.setAttribute('d', d);
    p.setAttribute('class', cls);
    svg.append(p);
  };
  if (pts.every((p) => typeof p.ndvi_p10 === 'number' && typeof p.ndvi_p90 === 'number')) {
    const up = pts.map((p, i) => `${i ? 'L' : 'M'}${x(i)},${y(p.ndvi_p90)}`).join('');
    const down = [...pts].reverse().map((p, i) => `L${x(pts.length - 1 - i)},${y(p.ndvi_p10)}`).join('');
    path(`${up}${down}Z`, 'band');
  }
  path(pts.map((p, i) => `${i ? 'L' : 'M'}${x(i)},${y(p.ndvi_mean)}`).join(''), 'mean');
  pts.forEach((p, i) => {
    const c = document.createElementNS(ns, 'circle');
    c.setAttribute('cx', x(i));
    c.setAttribute('cy', y(p.ndvi_mean));
    c.setAttribute('r', 3.5);
    c.setAttribute('fill', HEALTH_COLORS[p.health_class] || '#555');
    svg.append(c);
  });
  return svg;
}

async function orchardPopup(props, source, fid) {
  const oid = props.orchard_id ?? (source === 'orchards' ? fid : null);
  const doc = oid !== null && oid !== undefined ? await getOptional(`api/uav/parcels/${oid}`).catch(() => null) : null;
  const o = doc?.orchard || props;
  const box = el('div', { class: 'pp', 'data-kind': 'orchard' }, title(`${t('orchards')} #${oid ?? fid}`, [o.crop ? t(o.crop) : null, o.commune_code ? display('commune_code', o.commune_code) : null].filter(Boolean).join(' · ')));
  const hist = doc?.history || [];
  if (hist.length) {
    const spark = sparkline(hist);
    if (spark) box.append(spark);
    box.append(
      el(
        'table',
        { class: 'grid' },
        el('thead', {}, el('tr', {}, [t('date'), 'NDVI', 'P10', t('health'), 'Δ'].map((h) => el('th', { text: h })))),
        el(
          'tbody',
          {},
          hist.map((h) =>
            el(
              'tr',
              {},
              el('td', { text: h.date ?? h.flight_id }),
              el('td', { text: num(h.ndvi_mean, 3) }),
              el('td', { text: num(h.ndvi_p10, 3) }),
              el('td', {}, el('span', { class: 'dot', style: `background:${HEALTH_COLORS[h.health_class] || '#999'}` }), ` ${t(`h_${h.health_class}`)}`),
              el('td', { text: h.ndvi_change === null || h.ndvi_change === undefined ? '' : num(h.ndvi_change, 3) }),
            ),
          ),
        ),
      ),
    );
  } else {
    box.append(fieldTable(props));
  }
  return box;
}

function zonePopup(props) {
  const c = +props.class;
  const box = el('div', { class: 'pp', 'data-kind': 'zone' }, title(t(props.hazard === 'flash_flood' ? 'flash_flood' : 'landslide'), `${t('risk_class')} ${c}`));
  box.append(el('div', { class: 'pp-class' }, el('span', { class: 'dot', style: `background:${CLASS_COLORS[c - 1] || '#999'}` }), ` ${t(`class_${c}`)}`));
  box.append(fieldTable(props, Object.keys(props).filter((k) => !['hazard', 'class'].includes(k))));
  return box;
}

/// A drive-test point: what was measured against what the model predicted there, before and after
/// calibration, then the rest (time, environment, whether it was held out of the fit).
const MEASURED_HEAD = ['measured_dbm', 'predicted_dbm', 'residual_db', 'calibrated_dbm', 'calibrated_residual_db', 'environment', 'holdout', 'time'];
function measurementPopup(props, source, fid) {
  const op = props.operator ? operatorName(operatorKey(props.operator)) : '';
  const box = el('div', { class: 'pp', 'data-kind': 'measurement' }, title(`${t('l_measured')} #${fid ?? ''}`, [op, props.band ? `${props.band} MHz` : ''].filter(Boolean).join(' · ')));
  const head = MEASURED_HEAD.filter((k) => k in props);
  box.append(fieldTable(props, head));
  const rest = Object.keys(props).filter((k) => !head.includes(k) && !['operator', 'band'].includes(k));
  if (rest.length) box.append(el('details', { class: 'pp-more' }, el('summary', { 'data-i18n': 'more', text: t('more') }), fieldTable(props, rest)));
  return box;
}

function genericPopup(props, source, fid) {
  return el('div', { class: 'pp', 'data-kind': source }, title(props.name ?? `${source} #${fid ?? ''}`), fieldTable(props));
}

const HANDLERS = {
  communes: communePopup,
  commune_indicators: communePopup,
  hamlet_coverage: hamletPopup,
  hamlets: hamletPopup,
  hamlet_risk: hamletPopup,
  coverage_gaps: hamletPopup,
  cell_sites: sitePopup,
  sectors: sitePopup,
  orchard_health: orchardPopup,
  orchards: orchardPopup,
  risk_zones: zonePopup,
  measurements: measurementPopup,
};

/// Show the popup for one feature (from a click or a dashboard row).
export async function showPopup(map, lngLat, source, props, fid) {
  const popup = new maplibregl.Popup({ maxWidth: '340px', focusAfterOpen: false }).setLngLat(lngLat).setDOMContent(el('div', { class: 'pp', text: t('loading') })).addTo(map);
  try {
    const h = HANDLERS[source] || genericPopup;
    popup.setDOMContent(await h(props, source, fid));
    // Place it again now that it has its full height (above or below the point, whichever fits).
    requestAnimationFrame(() => popup.isOpen() && popup.setLngLat(lngLat));
  } catch (e) {
    popup.setDOMContent(el('div', { class: 'pp err', text: `${t('load_failed')}: ${e.message}` }));
  }
  return popup;
}

// Basemap context is not worth a popup (communes are: their invisible fill catches clicks).
const QUIET = new Set(['admin-labels', 'province', 'districts', 'roads', 'rivers', 'hillshade']);
const clickable = (f) => !QUIET.has(f.source) && f.layer.type !== 'raster' && f.layer.type !== 'background';

export function installPopups(map) {
  map.on('click', (e) => {
    const box = [[e.point.x - 5, e.point.y - 5], [e.point.x + 5, e.point.y + 5]];
    const feats = map.queryRenderedFeatures(box).filter(clickable);
    if (!feats.length) return;
    feats.sort((a, b) => (TYPE_RANK[a.layer.type] ?? 9) - (TYPE_RANK[b.layer.type] ?? 9));
    const f = feats[0];
    showPopup(map, e.lngLat, f.source, f.properties, f.id);
  });
  let pending = false;
  map.on('mousemove', (e) => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      const hit = map.queryRenderedFeatures(e.point).some((f) => clickable(f) && f.layer.id !== 'commune-hit');
      map.getCanvas().style.cursor = hit ? 'pointer' : '';
    });
  });
}
