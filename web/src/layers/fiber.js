// Theme "fiber": the fiber routes (drawn with a white casing so they read over any fill) and the
// access points where a site or a commune can be connected.
import { circle, el, line, row } from '../legend.js';
import { ensure } from './common.js';
import { registerTheme } from './registry.js';

const FIBER = '#7b3294';

function defs(cat) {
  const defs = [];
  // --- Fiber --------------------------------------------------------------------------------
  if (cat.isVector('fiber_routes') || cat.isVector('fiber_access_points')) {
    defs.push({
      id: 'fiber',
      group: 'g_fiber',
      title: 'l_fiber',
      sources: () => ['fiber_routes', 'fiber_access_points'].filter((id) => cat.isVector(id)),
      build(map) {
        const layers = [];
        const legend = el('div');
        if (cat.isVector('fiber_routes')) {
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
        if (cat.isVector('fiber_access_points')) {
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

  return defs;
}

registerTheme({ id: 'fiber', group: 'g_fiber', order: 30, defs });
