// Theme "disaster risk": landslide and flash-flood zones by susceptibility class (polygons where
// the risk analysis wrote them, else its rasters), and the hamlets in the two highest classes.
// Class colours are the service's (/catalog thresholds.risk.classes).
import { styles } from '../catalog.js';
import { circle, el, fill, row } from '../legend.js';
import { ensure, popRadius } from './common.js';
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

  if (cat.isVector('hamlet_risk') && cat.geometry('hamlet_risk').includes('point')) {
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

  return defs;
}

registerTheme({ id: 'risk', group: 'g_risk', order: 50, defs });
