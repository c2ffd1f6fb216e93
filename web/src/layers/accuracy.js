// Theme "measured accuracy" (issue 12): 4G coverage at 90 % location probability (the
// `coverage_probability` raster: 1 covered at 50 %, 2 at 90 % of locations, σ from calibration),
// the drive-test points coloured by how far the prediction missed (`residual_db`) with the
// calibration table (/api/calibration), and the regulator-style H3 hexagons (`coverage_h3`) filled
// by the share of their area covered at 90 % or reaching a download speed tier, per operator
// (from z7: below z11 the service tiles one feature per hexagon, see layers/h3.js).
import { getOptional } from '../api.js';
import { operatorKey, operatorName, styles } from '../catalog.js';
import { t } from '../i18n.js';
import { el, ramp, rasterLegend } from '../legend.js';
import { num } from '../format.js';
import { byZoom } from '../mapstyle.js';
import { addRaster, addVector, operatorChooser, subHeading } from './common.js';
import { h3Choices, h3Color, OVERVIEW_BELOW_ZOOM } from './h3.js';
import { registerTheme } from './registry.js';

/// Residuals (measured − predicted, dB): ColorBrewer RdBu, red where the model promised more signal
/// than was measured. ±15 dB is about two shadowing σ (6–8 dB, issue 12).
export const RESIDUAL_STOPS = [-15, '#b2182b', -7, '#ef8a62', -2, '#fddbc7', 0, '#f7f7f7', 2, '#d1e5f0', 7, '#67a9cf', 15, '#2166ac'];

/// Share of a hexagon's area covered at 90 % probability: ColorBrewer YlGn.
export const SHARE_STOPS = [0, '#ffffcc', 0.25, '#c2e699', 0.5, '#78c679', 0.75, '#31a354', 1, '#006837'];

const dB = (v) => (v === null || v === undefined || v === '' || !Number.isFinite(+v) ? '–' : num(v, 1, 1));

/// The calibration table's rows as shown: "operator band" (MHz), n, offset, σ, and the RMSE
/// before → after on held-out points (dB, one decimal). Five columns: the panel is narrow.
export function calibrationRows(rows) {
  return (rows || []).map((r) => [
    [r.operator === null || r.operator === undefined ? '–' : operatorName(operatorKey(r.operator)), r.band ?? ''].join(' ').trim(),
    r.n === null || r.n === undefined ? '–' : num(r.n),
    dB(r.offset_db),
    dB(r.sigma_db),
    `${dB(r.rmse_before_db)}→${dB(r.rmse_after_db)}`,
  ]);
}

/// The calibration table element (null without rows).
export function calibrationTable(rows) {
  const shown = calibrationRows(rows);
  if (!shown.length) return null;
  const head = ['operator_band', 'n_points', 'offset_db', 'sigma_db', 'rmse_db'];
  return el(
    'div',
    { class: 'calib-wrap' },
    el(
      'table',
      { class: 'calib grid' },
      el('thead', {}, el('tr', {}, head.map((k) => el('th', { 'data-i18n': k, text: t(k) })))),
      el('tbody', {}, shown.map((r) => el('tr', {}, r.map((v) => el('td', { text: v }))))),
    ),
    subHeading('calib_units'),
  );
}

function probabilityDef(cat) {
  if (!cat.isRaster('coverage_probability')) return null;
  return {
    id: 'coverage_p90',
    title: 'l_cov_p90',
    sources: () => ['coverage_probability'],
    build(map) {
      const legend = el('div');
      const ready = rasterLegend('coverage_probability').then((l) => legend.replaceChildren(l, subHeading('p90_note')));
      return { layers: [addRaster(map, cat, 'coverage_probability', 'coverage-p90', 0.75)], legend, ready };
    },
  };
}

/// The residual fields the measurements layer has: before calibration (`residual_db`, measured −
/// predicted) and after (`calibrated_residual_db`), as [{key, field}].
export function residualFields(fields) {
  return [
    ['before', 'residual_db'],
    ['after', 'calibrated_residual_db'],
  ]
    .filter(([, f]) => fields.includes(f))
    .map(([key, field]) => ({ key, field }));
}

function measurementsDef(cat) {
  if (!cat.isVector('measurements')) return null;
  const residuals = residualFields(cat.fields('measurements'));
  if (!residuals.length) return null;
  const hasOp = cat.hasField('measurements', 'operator');
  const keys = hasOp ? cat.operatorRasters('rsrp').map((r) => r.key) : [];
  const state = { field: residuals[0].field, op: keys[0] || 'any' };
  const filter = () => (hasOp && state.op !== 'any' ? ['==', ['downcase', ['to-string', ['get', 'operator']]], state.op] : true);
  const color = () => ['case', ['==', ['get', state.field], null], '#999', ['interpolate', ['linear'], ['to-number', ['get', state.field], 0], ...RESIDUAL_STOPS]];
  // The worst misses on top.
  const sortKey = () => ['abs', ['to-number', ['get', state.field], 0]];
  return {
    id: 'measurements',
    title: 'l_measured',
    sources: () => ['measurements'],
    build(map) {
      const paint = {
        'circle-radius': byZoom(1.8, 4.5),
        'circle-color': color(),
        'circle-opacity': 0.95,
        // A hairline so the points near 0 dB (white) stand out from the hillshade.
        'circle-stroke-color': 'rgba(40,40,40,0.55)',
        'circle-stroke-width': byZoom(0.25, 0.6),
      };
      const layer = { id: 'measurements', type: 'circle', filter: filter(), layout: { 'circle-sort-key': sortKey() }, paint };
      addVector(map, cat, 'measurements', layer, 'labels-anchor');
      const colors = RESIDUAL_STOPS.filter((_, i) => i % 2 === 1);
      const legend = el(
        'div',
        { class: 'lg-measured' },
        subHeading('residual_legend'),
        ramp(colors, '−15 dB', '+15 dB'),
        el('div', { class: 'lg-ends' }, el('small', { 'data-i18n': 'over_predicted', text: t('over_predicted') }), el('small', { 'data-i18n': 'under_predicted', text: t('under_predicted') })),
      );
      const ready = getOptional('api/calibration')
        .catch(() => null)
        .then((doc) => {
          const table = calibrationTable(doc?.rows);
          if (table) legend.append(subHeading('calib_table'), table);
        });
      const ctl = [
        operatorChooser(keys, state.op, (k) => {
          state.op = k;
          map.setFilter('measurements', filter());
        }),
      ].filter(Boolean);
      if (residuals.length > 1) {
        const sel = el(
          'select',
          {
            'aria-label': t('residual_of'),
            'data-i18n-title': 'residual_of',
            onchange: () => {
              state.field = sel.value;
              map.setPaintProperty('measurements', 'circle-color', color());
              map.setLayoutProperty('measurements', 'circle-sort-key', sortKey());
            },
          },
          residuals.map((r) => el('option', { value: r.field, 'data-i18n': `residual_${r.key}`, text: t(`residual_${r.key}`) })),
        );
        ctl.push(el('label', { class: 'ctl' }, el('span', { 'data-i18n': 'residual_of', text: t('residual_of') }), sel));
      }
      const controls = ctl.length ? el('div', { class: 'ctl-col' }, ctl) : null;
      return { layers: ['measurements'], legend, controls, ready };
    },
  };
}

function h3Def(cat) {
  if (!cat.isVector('coverage_h3')) return null;
  const choices = h3Choices(cat.fields('coverage_h3'), styles.tiersMbps);
  if (!choices.length) return null;
  const hasOp = cat.hasField('coverage_h3', 'operator');
  // The operators: those the coverage rasters are written for ("any" first), as the hexagons are.
  const fromRasters = cat.operatorRasters('rsrp').map((r) => r.key);
  const keys = fromRasters.length ? fromRasters : ['any'];
  const state = { op: keys[0], field: choices[0].field };
  const opFilter = () => (hasOp ? ['==', ['downcase', ['to-string', ['get', 'operator']]], state.op] : true);
  const choiceLabel = (c) => (c.tier === null ? t('h3_by_p90') : t('h3_by_tier', { mbps: num(c.tier) }));
  const legendText = () => {
    const c = choices.find((x) => x.field === state.field);
    return c.tier === null ? t('h3_share') : t('h3_share_tier', { mbps: num(c.tier) });
  };
  return {
    id: 'coverage_h3',
    title: 'l_h3',
    sources: () => ['coverage_h3'],
    build(map) {
      const hexagons = (layer) => addVector(map, cat, 'coverage_h3', layer, 'fills-anchor');
      const fill = (overview) => ({ 'fill-color': h3Color(state.field, state.op, overview, SHARE_STOPS), 'fill-opacity': 0.7 });
      // Below the overview zoom one feature per hexagon with every operator's shares; from it the
      // rows of the chosen operator.
      hexagons({ id: 'h3-fill-overview', type: 'fill', maxzoom: OVERVIEW_BELOW_ZOOM, paint: fill(true) });
      hexagons({ id: 'h3-fill', type: 'fill', minzoom: OVERVIEW_BELOW_ZOOM, filter: opFilter(), paint: fill(false) });
      const outline = { 'line-color': 'rgba(60,60,60,0.35)', 'line-width': 0.5 };
      hexagons({ id: 'h3-line', type: 'line', filter: opFilter(), minzoom: OVERVIEW_BELOW_ZOOM, paint: outline });
      const title = el('div', { class: 'lg-sub', text: legendText() });
      const legend = el(
        'div',
        {},
        title,
        ramp(SHARE_STOPS.filter((_, i) => i % 2 === 1), '0 %', '100 %'),
        subHeading('h3_note'),
      );
      const repaint = () => {
        map.setPaintProperty('h3-fill-overview', 'fill-color', h3Color(state.field, state.op, true, SHARE_STOPS));
        map.setPaintProperty('h3-fill', 'fill-color', h3Color(state.field, state.op, false, SHARE_STOPS));
        for (const id of ['h3-fill', 'h3-line']) map.setFilter(id, opFilter());
        title.textContent = legendText();
      };
      const ctl = [
        hasOp &&
          operatorChooser(keys, state.op, (key) => {
            state.op = key;
            repaint();
          }),
      ].filter(Boolean);
      if (choices.length > 1) {
        const sel = el(
          'select',
          {
            class: 'h3-by',
            'aria-label': t('h3_by'),
            'data-i18n-title': 'h3_by',
            onchange: () => {
              state.field = sel.value;
              repaint();
            },
          },
          choices.map((c) => el('option', { value: c.field, text: choiceLabel(c) })),
        );
        ctl.push(el('label', { class: 'ctl' }, el('span', { 'data-i18n': 'h3_by', text: t('h3_by') }), sel));
      }
      const controls = ctl.length ? el('div', { class: 'ctl-col' }, ctl) : null;
      return { layers: ['h3-fill-overview', 'h3-fill', 'h3-line'], legend, controls };
    },
  };
}

function defs(cat) {
  return [probabilityDef(cat), h3Def(cat), measurementsDef(cat)].filter(Boolean);
}

registerTheme({ id: 'accuracy', group: 'g_accuracy', order: 25, defs });
