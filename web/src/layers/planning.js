// Theme "site planning": the coverage gaps (areas, or uncovered hamlets as points when the
// analysis wrote no polygons) and the proposed sites, numbered by their rank.
import { FONT_BOLD } from '../basemap.js';
import { circle, el, fill, row } from '../legend.js';
import { ensure, popRadius } from './common.js';
import { registerTheme } from './registry.js';

const GAP = '#ff7f00';

function defs(cat) {
  const defs = [];
  // --- Planning -----------------------------------------------------------------------------
  if (cat.isVector('coverage_gaps') || cat.isVector('proposed_sites')) {
    defs.push({
      id: 'gaps',
      group: 'g_planning',
      title: 'l_gaps',
      sources: () => ['coverage_gaps', 'proposed_sites'].filter((id) => cat.isVector(id)),
      build(map) {
        const layers = [];
        const legend = el('div');
        if (cat.isVector('coverage_gaps')) {
          ensure(map, cat, 'coverage_gaps');
          if (cat.geometry('coverage_gaps').includes('polygon')) {
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
        if (cat.isVector('proposed_sites')) {
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

  return defs;
}

registerTheme({ id: 'planning', group: 'g_planning', order: 40, defs });
