// The thematic layers: which store layers each needs, how it is drawn, its legend and controls.
// A layer whose sources the catalog lacks is not offered (the page works with whatever the store
// has); where an analysis wrote a raster but no polygons (or the reverse), the layer uses what
// exists. Layers are added to the map the first time they are switched on.
import { getOptional, styles } from './api.js';
import { OPERATOR_COLORS, FONT_BOLD } from './basemap.js';
import { findField, shareKind } from './format.js';
import { t } from './i18n.js';
import { circle, el, fill, line, ramp, rasterLegend, row, sizes } from './legend.js';

// Class palettes come from the service (see `styles` in api.js); these are the same objects.
export const CLASS_COLORS = styles.classColors;
export const HEALTH_COLORS = styles.healthColors;
const FIBER = '#7b3294';
const GAP = '#ff7f00';

function ensure(map, cat, id) {
  if (!map.getSource(id)) map.addSource(id, cat.source(id));
}

const vec = (cat, id) => cat.has(id) && cat.get(id).kind === 'vector';
const geomOf = (cat, id) => String(cat.get(id)?.geometry_type || '').toLowerCase();
const isPoly = (cat, id) => geomOf(cat, id).includes('polygon');
const isPoint = (cat, id) => geomOf(cat, id).includes('point');

/// Circle radius growing with population (area ∝ people) and with zoom.
function popRadius(cat, id, small = 1.5, big = 6) {
  if (!cat.hasField(id, 'population')) return ['interpolate', ['linear'], ['zoom'], 7, 2.5, 13, 7];
  const s = ['sqrt', ['max', 0, ['to-number', ['get', 'population'], 0]]];
  return [
    'interpolate', ['linear'], ['zoom'],
    7, ['interpolate', ['linear'], s, 0, small, 45, big],
    13, ['interpolate', ['linear'], s, 0, small * 2.2, 45, big * 2.6],
  ];
}

const popSizes = (color) => sizes(color, [[100, 2.6], [500, 4.2], [2000, 6.6]]);

function classLegend() {
  return el('div', {}, [5, 4, 3, 2].map((c) => row(fill(CLASS_COLORS[c - 1]), `class_${c}`)));
}

/// Every layer definition; `available(cat)` decides whether it is offered.
export function layerDefs(cat) {
  const defs = [];

  // --- 4G coverage -------------------------------------------------------------------------
  const rsrp = cat.rasters(/^rsrp/).sort((a, b) => (a === 'rsrp_any' ? -1 : b === 'rsrp_any' ? 1 : a.localeCompare(b)));
  if (rsrp.length) {
    let current = rsrp[0];
    defs.push({
      id: 'rsrp',
      group: 'g_coverage',
      title: 'l_rsrp',
      sources: () => [current],
      build(map) {
        const addLayer = (before = 'fills-anchor') => {
          ensure(map, cat, current);
          map.addLayer({ id: 'rsrp', type: 'raster', source: current, paint: { 'raster-opacity': 0.72, 'raster-fade-duration': 150 } }, before);
        };
        addLayer();
        const legend = el('div');
        rasterLegend(current).then((l) => legend.replaceChildren(l));
        let controls = null;
        if (rsrp.length > 1) {
          const label = (id) => (id === 'rsrp_any' ? t('any_operator') : id.replace(/^rsrp_/, '').replace(/^\w/, (c) => c.toUpperCase()));
          const sel = el(
            'select',
            {
              'aria-label': t('operator'),
              'data-i18n-title': 'operator',
              onchange: () => {
                const vis = map.getLayoutProperty('rsrp', 'visibility');
                map.removeLayer('rsrp');
                current = sel.value;
                addLayer();
                map.setLayoutProperty('rsrp', 'visibility', vis ?? 'visible');
              },
            },
            rsrp.map((id) => el('option', { value: id, text: label(id) })),
          );
          controls = el('label', { class: 'ctl' }, el('span', { 'data-i18n': 'operator', text: t('operator') }), sel);
        }
        return { layers: ['rsrp'], legend, controls };
      },
    });
  }

  // Coverage at 50 % / 90 % location probability (the calibration's σ).
  if (cat.rasters(/^coverage_probability$/).length) {
    defs.push({
      id: 'coverage_p90',
      group: 'g_coverage',
      title: 'l_cov_p90',
      sources: () => ['coverage_probability'],
      build(map) {
        ensure(map, cat, 'coverage_probability');
        map.addLayer({ id: 'coverage-p90', type: 'raster', source: 'coverage_probability', paint: { 'raster-opacity': 0.75 } }, 'fills-anchor');
        const legend = el('div');
        rasterLegend('coverage_probability').then((l) => legend.replaceChildren(l));
        return { layers: ['coverage-p90'], legend };
      },
    });
  }

  // Land cover (the receivers' clutter classes), in WorldCover's palette from the service's legend.
  if (cat.rasters(/^landcover$/).length) {
    defs.push({
      id: 'landcover',
      group: 'g_coverage',
      title: 'l_landcover',
      sources: () => ['landcover'],
      build(map) {
        ensure(map, cat, 'landcover');
        map.addLayer({ id: 'landcover', type: 'raster', source: 'landcover', paint: { 'raster-opacity': 0.7 } }, 'fills-anchor');
        const legend = el('div');
        rasterLegend('landcover').then((l) => legend.replaceChildren(l));
        return { layers: ['landcover'], legend };
      },
    });
  }

  // Measured vs predicted: drive-test points coloured by residual, with the calibration table.
  if (vec(cat, 'measurements')) {
    const field = cat.hasField('measurements', 'residual_db') ? 'residual_db' : 'calibrated_residual_db';
    const stops = [-15, '#b2182b', -7, '#ef8a62', -2, '#fddbc7', 0, '#f7f7f7', 2, '#d1e5f0', 7, '#67a9cf', 15, '#2166ac'];
    defs.push({
      id: 'measurements',
      group: 'g_coverage',
      title: 'l_measured',
      sources: () => ['measurements'],
      build(map) {
        ensure(map, cat, 'measurements');
        map.addLayer(
          {
            id: 'measurements',
            type: 'circle',
            source: 'measurements',
            'source-layer': 'measurements',
            paint: {
              'circle-radius': ['interpolate', ['linear'], ['zoom'], 7, 1.5, 13, 4],
              'circle-color': ['case', ['==', ['get', field], null], '#999', ['interpolate', ['linear'], ['to-number', ['get', field], 0], ...stops]],
              'circle-opacity': 0.9,
            },
          },
          'labels-anchor',
        );
        const colors = stops.filter((_, i) => i % 2 === 1);
        const legend = el('div', {}, el('div', { class: 'lg-sub', 'data-i18n': 'residual_legend', text: t('residual_legend') }), ramp(colors, '−15', '+15'));
        getOptional('api/calibration').then((doc) => {
          const rows = (doc && doc.rows) || [];
          if (!rows.length) return;
          const f = (v) => (v === null || v === undefined ? '–' : Number(v).toFixed(1));
          const head = ['', 'MHz', 'n', 'offset', 'σ', 'RMSE'].map((h) => el('th', { text: h }));
          const body = rows.map((r) =>
            el('tr', {}, [r.operator, r.band, r.n, f(r.offset_db), f(r.sigma_db), `${f(r.rmse_before_db)} → ${f(r.rmse_after_db)}`].map((v) => el('td', { text: String(v) }))),
          );
          legend.append(el('div', { class: 'lg-sub', 'data-i18n': 'calib_table', text: t('calib_table') }), el('table', { class: 'calib' }, el('tr', {}, head), body));
        });
        return { layers: ['measurements'], legend };
      },
    });
  }

  if (vec(cat, 'hamlet_coverage')) {
    const coveredExpr = cat.hasField('hamlet_coverage', 'covered')
      ? ['==', ['to-number', ['get', 'covered'], 0], 1]
      : ['>=', ['to-number', ['get', 'rsrp_dbm'], -999], styles.coveredDbm];
    defs.push({
      id: 'hamlet_coverage',
      group: 'g_coverage',
      title: 'l_hamlet_cov',
      defaultOn: true,
      sources: () => ['hamlet_coverage'],
      build(map) {
        ensure(map, cat, 'hamlet_coverage');
        map.addLayer(
          {
            id: 'hamlet-coverage',
            type: 'circle',
            source: 'hamlet_coverage',
            'source-layer': 'hamlet_coverage',
            layout: { 'circle-sort-key': ['case', coveredExpr, 0, 1] },
            paint: {
              'circle-radius': popRadius(cat, 'hamlet_coverage'),
              'circle-color': ['case', coveredExpr, styles.covered, styles.uncovered],
              'circle-opacity': 0.85,
              'circle-stroke-color': '#fff',
              'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 7, 0.4, 12, 1.2],
            },
          },
          'labels-anchor',
        );
        const legend = el('div', {}, row(circle(styles.covered), 'covered'), row(circle(styles.uncovered), 'not_covered'));
        if (cat.hasField('hamlet_coverage', 'population')) legend.append(el('div', { class: 'lg-sub', 'data-i18n': 'size_population', text: t('size_population') }), popSizes('#999'));
        return { layers: ['hamlet-coverage'], legend };
      },
    });
  }

  const shareField = vec(cat, 'commune_indicators') ? findField(cat.fields('commune_indicators'), 'people_share') || findField(cat.fields('commune_indicators'), 'hamlets_share') : null;
  if (shareField) {
    // As a fraction 0–1, whether the field holds a fraction or per cent (as `share_*` does).
    const raw = ['to-number', ['get', shareField], 0];
    const s = shareKind(shareField) === 'pct' ? ['/', raw, 100] : ['case', ['>', raw, 1.0001], ['/', raw, 100], raw];
    const stops = [0.3, '#d73027', 0.6, '#fc8d59', 0.8, '#fee08b', 0.9, '#d9ef8b', 0.97, '#66bd63', 1, '#1a9850'];
    defs.push({
      id: 'commune_coverage',
      group: 'g_coverage',
      title: 'l_commune_cov',
      defaultOn: !cat.has('hamlet_coverage'),
      sources: () => ['commune_indicators'],
      shareField,
      build(map) {
        ensure(map, cat, 'commune_indicators');
        map.addLayer(
          {
            id: 'commune-coverage',
            type: 'fill',
            source: 'commune_indicators',
            'source-layer': 'commune_indicators',
            paint: { 'fill-color': ['interpolate', ['linear'], s, ...stops], 'fill-opacity': 0.62, 'fill-outline-color': 'rgba(80,60,100,0.5)' },
          },
          'fills-anchor',
        );
        const legend = el(
          'div',
          {},
          el('div', { class: 'lg-sub', 'data-i18n': 'share_people', text: t('share_people') }),
          ramp(stops.filter((_, i) => i % 2 === 1), '≤ 30 %', '100 %'),
        );
        return { layers: ['commune-coverage'], legend };
      },
    });
  }

  if (vec(cat, 'cell_sites')) {
    defs.push({
      id: 'sites',
      group: 'g_coverage',
      title: 'l_sites',
      sources: () => ['cell_sites', ...(vec(cat, 'sectors') ? ['sectors'] : [])],
      build(map) {
        const layers = [];
        const opColor = ['match', ['downcase', ['to-string', ['get', 'operator']]], ...Object.entries(OPERATOR_COLORS).flat(), '#555'];
        if (vec(cat, 'sectors')) {
          ensure(map, cat, 'sectors');
          map.addLayer(
            {
              id: 'sectors',
              type: 'fill',
              source: 'sectors',
              'source-layer': 'sectors',
              minzoom: 11,
              paint: { 'fill-color': opColor, 'fill-opacity': 0.35, 'fill-outline-color': opColor },
            },
            'points-anchor',
          );
          layers.push('sectors');
        }
        ensure(map, cat, 'cell_sites');
        map.addLayer(
          {
            id: 'cell-sites',
            type: 'circle',
            source: 'cell_sites',
            'source-layer': 'cell_sites',
            paint: {
              'circle-radius': ['interpolate', ['linear'], ['zoom'], 7, 2.2, 13, 6],
              'circle-color': opColor,
              'circle-stroke-color': '#fff',
              'circle-stroke-width': 1,
            },
          },
          'labels-anchor',
        );
        layers.push('cell-sites');
        const legend = el(
          'div',
          {},
          [['viettel', 'Viettel'], ['vnpt', 'VinaPhone (VNPT)'], ['mobifone', 'MobiFone']].map(([k, n]) => row(circle(OPERATOR_COLORS[k]), n, true)),
          layers.includes('sectors') ? row(fill('rgba(80,80,80,0.35)', '#555'), 'sector') : null,
        );
        return { layers, legend };
      },
    });
  }

  // --- Fiber --------------------------------------------------------------------------------
  if (vec(cat, 'fiber_routes') || vec(cat, 'fiber_access_points')) {
    defs.push({
      id: 'fiber',
      group: 'g_fiber',
      title: 'l_fiber',
      sources: () => ['fiber_routes', 'fiber_access_points'].filter((id) => vec(cat, id)),
      build(map) {
        const layers = [];
        const legend = el('div');
        if (vec(cat, 'fiber_routes')) {
          ensure(map, cat, 'fiber_routes');
          map.addLayer(
            {
              id: 'fiber-casing',
              type: 'line',
              source: 'fiber_routes',
              'source-layer': 'fiber_routes',
              paint: { 'line-color': '#fff', 'line-width': ['interpolate', ['linear'], ['zoom'], 7, 2.5, 13, 6] },
              layout: { 'line-join': 'round', 'line-cap': 'round' },
            },
            'points-anchor',
          );
          map.addLayer(
            {
              id: 'fiber-routes',
              type: 'line',
              source: 'fiber_routes',
              'source-layer': 'fiber_routes',
              paint: { 'line-color': FIBER, 'line-width': ['interpolate', ['linear'], ['zoom'], 7, 1.3, 13, 3.5] },
              layout: { 'line-join': 'round', 'line-cap': 'round' },
            },
            'points-anchor',
          );
          layers.push('fiber-casing', 'fiber-routes');
          legend.append(row(line(FIBER, 3), 'fiber_route'));
        }
        if (vec(cat, 'fiber_access_points')) {
          ensure(map, cat, 'fiber_access_points');
          map.addLayer(
            {
              id: 'fiber-aps',
              type: 'circle',
              source: 'fiber_access_points',
              'source-layer': 'fiber_access_points',
              paint: {
                'circle-radius': ['interpolate', ['linear'], ['zoom'], 7, 2.5, 13, 6],
                'circle-color': '#fff',
                'circle-stroke-color': FIBER,
                'circle-stroke-width': ['interpolate', ['linear'], ['zoom'], 7, 1.5, 13, 3],
              },
            },
            'labels-anchor',
          );
          layers.push('fiber-aps');
          legend.append(row(circle('#fff', 10, FIBER), 'access_point'));
        }
        return { layers, legend };
      },
    });
  }

  // --- Planning -----------------------------------------------------------------------------
  if (vec(cat, 'coverage_gaps') || vec(cat, 'proposed_sites')) {
    defs.push({
      id: 'gaps',
      group: 'g_planning',
      title: 'l_gaps',
      sources: () => ['coverage_gaps', 'proposed_sites'].filter((id) => vec(cat, id)),
      build(map) {
        const layers = [];
        const legend = el('div');
        if (vec(cat, 'coverage_gaps')) {
          ensure(map, cat, 'coverage_gaps');
          if (isPoly(cat, 'coverage_gaps')) {
            map.addLayer(
              { id: 'gaps-fill', type: 'fill', source: 'coverage_gaps', 'source-layer': 'coverage_gaps', paint: { 'fill-color': GAP, 'fill-opacity': 0.28 } },
              'fills-anchor',
            );
            map.addLayer(
              {
                id: 'gaps-line',
                type: 'line',
                source: 'coverage_gaps',
                'source-layer': 'coverage_gaps',
                paint: { 'line-color': '#b35806', 'line-width': 1.6, 'line-dasharray': [2, 1] },
              },
              'points-anchor',
            );
            layers.push('gaps-fill', 'gaps-line');
            legend.append(row(fill('rgba(255,127,0,0.3)', '#b35806'), 'gap_area'));
          } else {
            map.addLayer(
              {
                id: 'gaps-points',
                type: 'circle',
                source: 'coverage_gaps',
                'source-layer': 'coverage_gaps',
                paint: {
                  'circle-radius': popRadius(cat, 'coverage_gaps', 2.5, 8),
                  'circle-color': 'rgba(255,127,0,0.35)',
                  'circle-stroke-color': '#b35806',
                  'circle-stroke-width': 1.5,
                },
              },
              'labels-anchor',
            );
            layers.push('gaps-points');
            legend.append(row(circle('rgba(255,127,0,0.35)', 12, '#b35806'), 'gap_area'));
          }
        }
        if (vec(cat, 'proposed_sites')) {
          ensure(map, cat, 'proposed_sites');
          map.addLayer(
            {
              id: 'proposed-sites',
              type: 'circle',
              source: 'proposed_sites',
              'source-layer': 'proposed_sites',
              paint: {
                'circle-radius': ['interpolate', ['linear'], ['zoom'], 7, 5, 13, 10],
                'circle-color': '#ffd400',
                'circle-stroke-color': '#111',
                'circle-stroke-width': 2,
              },
            },
            'labels-anchor',
          );
          const rank = cat.field('proposed_sites', ['rank', 'order', 'name']);
          map.addLayer({
            id: 'proposed-labels',
            type: 'symbol',
            source: 'proposed_sites',
            'source-layer': 'proposed_sites',
            layout: {
              'text-field': rank ? ['to-string', ['get', rank]] : ['to-string', ['id']],
              'text-font': FONT_BOLD,
              'text-size': 10,
              'text-allow-overlap': true,
            },
            paint: { 'text-color': '#111' },
          });
          layers.push('proposed-sites', 'proposed-labels');
          legend.append(row(circle('#ffd400', 14, '#111'), 'proposed_site'));
        }
        return { layers, legend };
      },
    });
  }

  // --- Risk ---------------------------------------------------------------------------------
  for (const [id, hazard, raster, title] of [
    ['landslide', 'landslide', 'landslide_susceptibility', 'l_landslide'],
    ['flood', 'flash_flood', 'flood_susceptibility', 'l_flood'],
  ]) {
    const zones = vec(cat, 'risk_zones') && cat.hasField('risk_zones', 'hazard');
    const rasterId = cat.has(raster) && cat.get(raster).kind === 'raster' ? raster : null;
    if (!zones && !rasterId) continue;
    defs.push({
      id,
      group: 'g_risk',
      title,
      sources: () => [zones ? 'risk_zones' : rasterId],
      filter: zones ? ['==', ['get', 'hazard'], hazard] : null,
      build(map) {
        const lid = `${id}-zones`;
        if (zones) {
          ensure(map, cat, 'risk_zones');
          const cls = ['to-number', ['get', 'class'], 0];
          map.addLayer(
            {
              id: lid,
              type: 'fill',
              source: 'risk_zones',
              'source-layer': 'risk_zones',
              filter: ['all', ['==', ['get', 'hazard'], hazard], ['>=', cls, 2]],
              paint: {
                'fill-color': ['match', cls, 1, CLASS_COLORS[0], 2, CLASS_COLORS[1], 3, CLASS_COLORS[2], 4, CLASS_COLORS[3], CLASS_COLORS[4]],
                'fill-opacity': ['interpolate', ['linear'], cls, 2, 0.25, 5, 0.6],
              },
            },
            'fills-anchor',
          );
        } else {
          ensure(map, cat, rasterId);
          map.addLayer({ id: lid, type: 'raster', source: rasterId, paint: { 'raster-opacity': 0.65 } }, 'fills-anchor');
        }
        return { layers: [lid], legend: classLegend() };
      },
    });
  }

  if (vec(cat, 'hamlet_risk') && isPoint(cat, 'hamlet_risk')) {
    const maxClass = ['max', ['to-number', ['get', 'landslide_class'], 0], ['to-number', ['get', 'flood_class'], 0]];
    defs.push({
      id: 'hamlet_risk',
      group: 'g_risk',
      title: 'l_hamlet_risk',
      sources: () => ['hamlet_risk'],
      build(map) {
        ensure(map, cat, 'hamlet_risk');
        map.addLayer(
          {
            id: 'hamlet-risk',
            type: 'circle',
            source: 'hamlet_risk',
            'source-layer': 'hamlet_risk',
            filter: ['>=', maxClass, 4],
            layout: { 'circle-sort-key': maxClass },
            paint: {
              'circle-radius': popRadius(cat, 'hamlet_risk', 2.5, 7),
              'circle-color': ['case', ['>=', maxClass, 5], CLASS_COLORS[4], CLASS_COLORS[3]],
              'circle-stroke-color': '#3a0a0a',
              'circle-stroke-width': 1,
            },
          },
          'labels-anchor',
        );
        const legend = el('div', {}, row(circle(CLASS_COLORS[4], 11, '#3a0a0a'), 'class_5'), row(circle(CLASS_COLORS[3], 11, '#3a0a0a'), 'class_4'));
        return { layers: ['hamlet-risk'], legend };
      },
    });
  }

  // --- Agriculture --------------------------------------------------------------------------
  const health = vec(cat, 'orchard_health') && cat.hasField('orchard_health', 'health_class');
  if (health || vec(cat, 'orchards')) {
    const src = health ? 'orchard_health' : 'orchards';
    defs.push({
      id: 'orchards',
      group: 'g_agri',
      title: 'l_orchards',
      sources: () => [src],
      focus: true,
      build(map) {
        ensure(map, cat, src);
        const latest = health && cat.hasField(src, 'latest') ? ['==', ['to-number', ['get', 'latest'], 1], 1] : true;
        const color = health
          ? ['match', ['get', 'health_class'], ...Object.entries(HEALTH_COLORS).flat(), '#999']
          : ['match', ['get', 'crop'], 'mango', '#f4a300', 'longan', '#8c6d31', '#6a9f3a'];
        map.addLayer(
          {
            id: 'orchards-fill',
            type: 'fill',
            source: src,
            'source-layer': src,
            filter: latest,
            paint: { 'fill-color': color, 'fill-opacity': 0.75 },
          },
          'lines-anchor',
        );
        map.addLayer(
          {
            id: 'orchards-line',
            type: 'line',
            source: src,
            'source-layer': src,
            filter: latest,
            minzoom: 11,
            paint: { 'line-color': '#333', 'line-width': 0.6 },
          },
          'lines-anchor',
        );
        const layers = ['orchards-fill', 'orchards-line'];
        if (health && vec(cat, 'orchards')) {
          // Parcels no flight has covered yet, as context under the assessed ones.
          ensure(map, cat, 'orchards');
          map.addLayer(
            {
              id: 'orchards-all',
              type: 'fill',
              source: 'orchards',
              'source-layer': 'orchards',
              minzoom: 10,
              paint: { 'fill-color': '#ffffff', 'fill-opacity': 0.35, 'fill-outline-color': '#6b6b6b' },
            },
            'orchards-fill',
          );
          layers.unshift('orchards-all');
        }
        const legend = health
          ? el(
              'div',
              {},
              ['healthy', 'watch', 'stressed', 'severe', 'no_canopy'].map((h) => row(fill(HEALTH_COLORS[h]), `h_${h}`)),
              vec(cat, 'orchards') ? row(fill('rgba(255,255,255,0.6)', '#6b6b6b'), 'not_flown') : null,
            )
          : el('div', {}, row(fill('#f4a300'), 'mango'), row(fill('#8c6d31'), 'longan'));
        return { layers, legend };
      },
    });
  }

  const uavRasters = cat.rasters(/^uav\//);
  if (uavRasters.length) {
    defs.push(uavDef(cat, uavRasters));
  }

  return defs;
}

/// UAV index imagery: one raster per flight and index; the chooser picks the flight (by date) and
/// the index. Flights come from /api/uav/flights, or from the raster names when that is absent.
function uavDef(cat, rasterIds) {
  const state = { flights: [], flight: null, index: 'ndvi' };
  const fromCatalog = () => {
    const by = new Map();
    for (const id of rasterIds) {
      const [, flight, index] = (cat.get(id).source || id).split('/');
      if (!by.has(flight)) by.set(flight, { flight_id: flight, date: flight, rasters: [] });
      by.get(flight).rasters.push({ index, layer: id, bounds: cat.get(id).bounds, minzoom: cat.get(id).minzoom });
    }
    return [...by.values()];
  };
  let map = null;
  const current = () => state.flight?.rasters.find((r) => r.index === state.index) || state.flight?.rasters[0];
  const show = () => {
    const r = current();
    if (!r) return;
    if (map.getLayer('uav')) map.removeLayer('uav');
    ensure(map, cat, r.layer);
    map.addLayer(
      { id: 'uav', type: 'raster', source: r.layer, layout: { visibility: def.visible ? 'visible' : 'none' }, paint: { 'raster-opacity': 0.9 } },
      'lines-anchor',
    );
  };
  const def = {
    id: 'uav',
    group: 'g_agri',
    title: 'l_uav',
    sources: () => (current() ? [current().layer] : []),
    bounds: () => current()?.bounds,
    focus: true,
    build(m) {
      map = m;
      const legend = el('div');
      const flightSel = el('select', { 'data-i18n-title': 'flight_date', 'aria-label': t('flight_date') });
      const indexSel = el('select', { 'data-i18n-title': 'index', 'aria-label': t('index') });
      const hint = el('div', { class: 'lg-sub', 'data-i18n': 'zoom_in_uav', text: t('zoom_in_uav') });
      const go = el('button', { type: 'button', class: 'link', 'data-i18n': 'go_to_flight', text: t('go_to_flight'), onclick: () => def.zoomTo?.() });
      const refreshLegend = () => {
        const r = current();
        if (r) rasterLegend(r.layer).then((l) => legend.replaceChildren(l));
      };
      const fillIndexes = () => {
        indexSel.replaceChildren(...(state.flight?.rasters || []).map((r) => el('option', { value: r.index, text: r.index.toUpperCase().replace('_', ' ') })));
        if (!state.flight?.rasters.some((r) => r.index === state.index)) state.index = state.flight?.rasters[0]?.index;
        indexSel.value = state.index;
      };
      flightSel.addEventListener('change', () => {
        state.flight = state.flights.find((f) => f.flight_id === flightSel.value);
        fillIndexes();
        show();
        refreshLegend();
      });
      indexSel.addEventListener('change', () => {
        state.index = indexSel.value;
        show();
        refreshLegend();
      });
      const ready = (async () => {
        const api = await getOptional('api/uav/flights').catch(() => null);
        const list = (api?.flights || []).filter((f) => (f.rasters || []).some((r) => cat.has(r.layer)));
        state.flights = (list.length ? list : fromCatalog()).sort((a, b) => String(a.date).localeCompare(String(b.date)));
        state.flight = state.flights[state.flights.length - 1];
        flightSel.replaceChildren(...state.flights.map((f) => el('option', { value: f.flight_id, text: `${f.date ?? f.flight_id}${f.date && f.date !== f.flight_id ? ` · ${f.flight_id}` : ''}` })));
        flightSel.value = state.flight?.flight_id;
        fillIndexes();
        show();
        refreshLegend();
      })();
      const controls = el(
        'div',
        { class: 'ctl-col' },
        el('label', { class: 'ctl' }, el('span', { 'data-i18n': 'flight_date', text: t('flight_date') }), flightSel),
        el('label', { class: 'ctl' }, el('span', { 'data-i18n': 'index', text: t('index') }), indexSel),
        hint,
        go,
      );
      return { layers: ['uav'], legend, controls, ready };
    },
  };
  return def;
}

/// Where a layer's features are, for "zoom to layer": its own bounds, else its sources'.
export function layerBounds(cat, def) {
  const b = def.bounds?.();
  if (b) return b;
  let out = null;
  for (const id of def.sources()) {
    const s = cat.get(id)?.bounds;
    if (!s) continue;
    out = out ? [Math.min(out[0], s[0]), Math.min(out[1], s[1]), Math.max(out[2], s[2]), Math.max(out[3], s[3])] : [...s];
  }
  return out;
}

