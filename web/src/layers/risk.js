// Theme "disaster risk": landslide and flash-flood zones by susceptibility class (polygons where
// the risk analysis wrote them, else its rasters), and the hamlets in the two highest classes.
// Class colours are the service's (/catalog thresholds.risk.classes).
import { styles } from '../catalog.js';
import { circle, el, fill, row } from '../legend.js';
import { addRaster, addVector, popRadius } from './common.js';
import { registerTheme } from './registry.js';

const CLASS_COLORS = styles.classColors;

function classLegend() {
  return el('div', {}, [5, 4, 3, 2].map((c) => row(fill(CLASS_COLORS[c - 1]), `class_${c}`)));
}

function defs(cat) {
  const defs = [];
  // --- Risk ---------------------------------------------------------------------------------
  for (const [id, hazard, raster, title] of [
    ['landslide', 'landslide', 'landslide_susceptibility', 'l_landslide'],
    ['flood', 'flash_flood', 'flood_susceptibility', 'l_flood'],
  ]) {
    const zones = cat.isVector('risk_zones') && cat.hasField('risk_zones', 'hazard');
    const rasterId = cat.isRaster(raster) ? raster : null;
    if (!zones && !rasterId) continue;
    defs.push({
      id,
      title,
      sources: () => [zones ? 'risk_zones' : rasterId],
      filter: zones ? ['==', ['get', 'hazard'], hazard] : null,
      build(map) {
        const lid = `${id}-zones`;
        if (zones) {
          const cls = ['to-number', ['get', 'class'], 0];
          const paint = {
            'fill-color': ['match', cls, 1, CLASS_COLORS[0], 2, CLASS_COLORS[1], 3, CLASS_COLORS[2], 4, CLASS_COLORS[3], CLASS_COLORS[4]],
            'fill-opacity': ['interpolate', ['linear'], cls, 2, 0.25, 5, 0.6],
          };
          const filter = ['all', ['==', ['get', 'hazard'], hazard], ['>=', cls, 2]];
          addVector(map, cat, 'risk_zones', { id: lid, type: 'fill', filter, paint }, 'fills-anchor');
        } else {
          addRaster(map, cat, rasterId, lid, 0.65);
        }
        return { layers: [lid], legend: classLegend() };
      },
    });
  }

  if (cat.isVector('hamlet_risk') && cat.geometry('hamlet_risk').includes('point')) {
    const maxClass = ['max', ['to-number', ['get', 'landslide_class'], 0], ['to-number', ['get', 'flood_class'], 0]];
    defs.push({
      id: 'hamlet_risk',
      title: 'l_hamlet_risk',
      sources: () => ['hamlet_risk'],
      build(map) {
        const paint = {
          'circle-radius': popRadius(cat, 'hamlet_risk', 2.5, 7),
          'circle-color': ['case', ['>=', maxClass, 5], CLASS_COLORS[4], CLASS_COLORS[3]],
          'circle-stroke-color': '#3a0a0a',
          'circle-stroke-width': 1,
        };
        const layer = { id: 'hamlet-risk', type: 'circle', filter: ['>=', maxClass, 4], layout: { 'circle-sort-key': maxClass }, paint };
        const legend = el('div', {}, row(circle(CLASS_COLORS[4], 11, '#3a0a0a'), 'class_5'), row(circle(CLASS_COLORS[3], 11, '#3a0a0a'), 'class_4'));
        return { layers: [addVector(map, cat, 'hamlet_risk', layer, 'labels-anchor')], legend };
      },
    });
  }

  return defs;
}

registerTheme({ id: 'risk', group: 'g_risk', order: 50, defs });
