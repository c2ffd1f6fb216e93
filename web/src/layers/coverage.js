// Theme "4G coverage": signal strength per operator (RSRP rasters), hamlets with 4G sized by
// population, communes shaded by the share of people with 4G, and the cell sites with their sectors.
import { operatorName, styles } from '../catalog.js';
import { OPERATOR_COLORS } from '../basemap.js';
import { findField, shareKind } from '../format.js';
import { circle, el, fill, ramp, rasterLegend, row } from '../legend.js';
import { byZoom } from '../mapstyle.js';
import { addRaster, addVector, hamletCircles, operatorRasterDef, popSizes, subHeading } from './common.js';
import { registerTheme } from './registry.js';

/// The operators in the sites legend: those the coverage rasters are written for (the dataset's),
/// else the province's three.
function siteOperators(cat) {
  const keys = cat.operatorRasters('rsrp').map((r) => r.key).filter((k) => k !== 'any');
  return keys.length ? keys : ['viettel', 'vnpt', 'mobifone'];
}

function defs(cat) {
  const defs = [];
  const rsrp = operatorRasterDef(cat, { id: 'rsrp', prefix: 'rsrp', title: 'l_rsrp' });
  if (rsrp) defs.push(rsrp);

  // Land cover (the receivers' clutter classes), in WorldCover's palette from the service's legend.
  if (cat.rasters(/^landcover$/).length) {
    defs.push({
      id: 'landcover',
      title: 'l_landcover',
      sources: () => ['landcover'],
      build(map) {
        const legend = el('div');
        rasterLegend('landcover').then((l) => legend.replaceChildren(l));
        return { layers: [addRaster(map, cat, 'landcover', 'landcover', 0.7)], legend };
      },
    });
  }

  if (cat.isVector('hamlet_coverage')) {
    const coveredExpr = cat.hasField('hamlet_coverage', 'covered')
      ? ['==', ['to-number', ['get', 'covered'], 0], 1]
      : ['>=', ['to-number', ['get', 'rsrp_dbm'], -999], styles.coveredDbm];
    defs.push({
      id: 'hamlet_coverage',
      title: 'l_hamlet_cov',
      defaultOn: true,
      sources: () => ['hamlet_coverage'],
      build(map) {
        const layer = {
          id: 'hamlet-coverage',
          type: 'circle',
          layout: { 'circle-sort-key': ['case', coveredExpr, 0, 1] },
          paint: hamletCircles(cat, 'hamlet_coverage', ['case', coveredExpr, styles.covered, styles.uncovered], 0.85),
        };
        const legend = el('div', {}, row(circle(styles.covered), 'covered'), row(circle(styles.uncovered), 'not_covered'));
        if (cat.hasField('hamlet_coverage', 'population')) legend.append(subHeading('size_population'), popSizes('#999'));
        return { layers: [addVector(map, cat, 'hamlet_coverage', layer, 'labels-anchor')], legend };
      },
    });
  }


  const shareField = cat.isVector('commune_indicators') ? findField(cat.fields('commune_indicators'), 'people_share') || findField(cat.fields('commune_indicators'), 'hamlets_share') : null;
  if (shareField) {
    // As a fraction 0–1, whether the field holds a fraction or per cent (as `share_*` does).
    const raw = ['to-number', ['get', shareField], 0];
    const s = shareKind(shareField) === 'pct' ? ['/', raw, 100] : ['case', ['>', raw, 1.0001], ['/', raw, 100], raw];
    const stops = [0.3, '#d73027', 0.6, '#fc8d59', 0.8, '#fee08b', 0.9, '#d9ef8b', 0.97, '#66bd63', 1, '#1a9850'];
    defs.push({
      id: 'commune_coverage',
      title: 'l_commune_cov',
      defaultOn: !cat.has('hamlet_coverage'),
      sources: () => ['commune_indicators'],
      shareField,
      build(map) {
        const paint = { 'fill-color': ['interpolate', ['linear'], s, ...stops], 'fill-opacity': 0.62, 'fill-outline-color': 'rgba(80,60,100,0.5)' };
        const legend = el('div', {}, subHeading('share_people'), ramp(stops.filter((_, i) => i % 2 === 1), '≤ 30 %', '100 %'));
        return { layers: [addVector(map, cat, 'commune_indicators', { id: 'commune-coverage', type: 'fill', paint }, 'fills-anchor')], legend };
      },
    });
  }


  if (cat.isVector('cell_sites')) {
    defs.push({
      id: 'sites',
      title: 'l_sites',
      sources: () => ['cell_sites', ...(cat.isVector('sectors') ? ['sectors'] : [])],
      build(map) {
        const layers = [];
        const opColor = ['match', ['downcase', ['to-string', ['get', 'operator']]], ...Object.entries(OPERATOR_COLORS).flat(), '#555'];
        if (cat.isVector('sectors')) {
          const paint = { 'fill-color': opColor, 'fill-opacity': 0.35, 'fill-outline-color': opColor };
          layers.push(addVector(map, cat, 'sectors', { id: 'sectors', type: 'fill', minzoom: 11, paint }, 'points-anchor'));
        }
        const paint = { 'circle-radius': byZoom(2.2, 6), 'circle-color': opColor, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 };
        layers.push(addVector(map, cat, 'cell_sites', { id: 'cell-sites', type: 'circle', paint }, 'labels-anchor'));
        const legend = el(
          'div',
          {},
          siteOperators(cat).map((k) => row(circle(OPERATOR_COLORS[k] || '#555'), operatorName(k), true)),
          layers.includes('sectors') ? row(fill('rgba(80,80,80,0.35)', '#555'), 'sector') : null,
        );
        return { layers, legend };
      },
    });
  }

  return defs;
}

registerTheme({ id: 'coverage', group: 'g_coverage', order: 10, defs });
