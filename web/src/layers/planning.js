// Theme "site planning": the coverage gaps (areas, or uncovered hamlets as points when the
// analysis wrote no polygons) and the proposed sites, numbered by their rank.
import { FONT_BOLD } from '../basemap.js';
import { circle, fill, row } from '../legend.js';
import { byZoom } from '../mapstyle.js';
import { addVector, popRadius, vectorsDefs } from './common.js';
import { registerTheme } from './registry.js';

const GAP = '#ff7f00';

function defs(cat) {
  return vectorsDefs(cat, {
    id: 'gaps',
    title: 'l_gaps',
    parts: {
      coverage_gaps(map, legend) {
        const gaps = (layer, anchor) => addVector(map, cat, 'coverage_gaps', layer, anchor);
        if (cat.geometry('coverage_gaps').includes('polygon')) {
          const layers = [
            gaps({ id: 'gaps-fill', type: 'fill', paint: { 'fill-color': GAP, 'fill-opacity': 0.28 } }, 'fills-anchor'),
            gaps({ id: 'gaps-line', type: 'line', paint: { 'line-color': '#b35806', 'line-width': 1.6, 'line-dasharray': [2, 1] } }, 'points-anchor'),
          ];
          legend.append(row(fill('rgba(255,127,0,0.3)', '#b35806'), 'gap_area'));
          return layers;
        }
        const paint = {
          'circle-radius': popRadius(cat, 'coverage_gaps', 2.5, 8),
          'circle-color': 'rgba(255,127,0,0.35)',
          'circle-stroke-color': '#b35806',
          'circle-stroke-width': 1.5,
        };
        const layers = [gaps({ id: 'gaps-points', type: 'circle', paint }, 'labels-anchor')];
        legend.append(row(circle('rgba(255,127,0,0.35)', 12, '#b35806'), 'gap_area'));
        return layers;
      },
      proposed_sites(map, legend) {
        const paint = { 'circle-radius': byZoom(5, 10), 'circle-color': '#ffd400', 'circle-stroke-color': '#111', 'circle-stroke-width': 2 };
        const rank = cat.field('proposed_sites', ['rank', 'order', 'name']);
        const layout = {
          'text-field': rank ? ['to-string', ['get', rank]] : ['to-string', ['id']],
          'text-font': FONT_BOLD,
          'text-size': 10,
          'text-allow-overlap': true,
        };
        const layers = [
          addVector(map, cat, 'proposed_sites', { id: 'proposed-sites', type: 'circle', paint }, 'labels-anchor'),
          addVector(map, cat, 'proposed_sites', { id: 'proposed-labels', type: 'symbol', layout, paint: { 'text-color': '#111' } }),
        ];
        legend.append(row(circle('#ffd400', 14, '#111'), 'proposed_site'));
        return layers;
      },
    },
  });
}

registerTheme({ id: 'planning', group: 'g_planning', order: 40, defs });
