// Theme "fiber": the fiber routes (drawn with a white casing so they read over any fill) and the
// access points where a site or a commune can be connected.
import { circle, line, row } from '../legend.js';
import { byZoom, ROUND_LINE } from '../mapstyle.js';
import { addVector, vectorsDefs } from './common.js';
import { registerTheme } from './registry.js';

const FIBER = '#7b3294';

function defs(cat) {
  return vectorsDefs(cat, {
    id: 'fiber',
    title: 'l_fiber',
    parts: {
      fiber_routes(map, legend) {
        const route = (id, color, lo, hi) =>
          addVector(map, cat, 'fiber_routes', { id, type: 'line', paint: { 'line-color': color, 'line-width': byZoom(lo, hi) }, layout: ROUND_LINE }, 'points-anchor');
        const layers = [route('fiber-casing', '#fff', 2.5, 6), route('fiber-routes', FIBER, 1.3, 3.5)];
        legend.append(row(line(FIBER, 3), 'fiber_route'));
        return layers;
      },
      fiber_access_points(map, legend) {
        const paint = { 'circle-radius': byZoom(2.5, 6), 'circle-color': '#fff', 'circle-stroke-color': FIBER, 'circle-stroke-width': byZoom(1.5, 3) };
        const layers = [addVector(map, cat, 'fiber_access_points', { id: 'fiber-aps', type: 'circle', paint }, 'labels-anchor')];
        legend.append(row(circle('#fff', 10, FIBER), 'access_point'));
        return layers;
      },
    },
  });
}

registerTheme({ id: 'fiber', group: 'g_fiber', order: 30, defs });
