// Theme "agriculture (UAV)": orchards coloured by their latest health class (parcels not flown yet
// as context), and the UAV index imagery with a flight-date and index chooser. Health colours are
// the service's (/catalog thresholds.uav.health_classes).
import { getOptional } from '../api.js';
import { styles } from '../catalog.js';
import { t } from '../i18n.js';
import { el, fill, rasterLegend, row } from '../legend.js';
import { addVector, ensure, subHeading } from './common.js';
import { registerTheme } from './registry.js';

const HEALTH_COLORS = styles.healthColors;

function defs(cat) {
  const defs = [];
  // --- Agriculture --------------------------------------------------------------------------
  const health = cat.isVector('orchard_health') && cat.hasField('orchard_health', 'health_class');
  if (health || cat.isVector('orchards')) {
    const src = health ? 'orchard_health' : 'orchards';
    defs.push({
      id: 'orchards',
      title: 'l_orchards',
      sources: () => [src],
      focus: true,
      build(map) {
        const latest = health && cat.hasField(src, 'latest') ? ['==', ['to-number', ['get', 'latest'], 1], 1] : true;
        const color = health
          ? ['match', ['get', 'health_class'], ...Object.entries(HEALTH_COLORS).flat(), '#999']
          : ['match', ['get', 'crop'], 'mango', '#f4a300', 'longan', '#8c6d31', '#6a9f3a'];
        const layers = [
          addVector(map, cat, src, { id: 'orchards-fill', type: 'fill', filter: latest, paint: { 'fill-color': color, 'fill-opacity': 0.75 } }, 'lines-anchor'),
          addVector(map, cat, src, { id: 'orchards-line', type: 'line', filter: latest, minzoom: 11, paint: { 'line-color': '#333', 'line-width': 0.6 } }, 'lines-anchor'),
        ];
        if (health && cat.isVector('orchards')) {
          // Parcels no flight has covered yet, as context under the assessed ones.
          const paint = { 'fill-color': '#ffffff', 'fill-opacity': 0.35, 'fill-outline-color': '#6b6b6b' };
          layers.unshift(addVector(map, cat, 'orchards', { id: 'orchards-all', type: 'fill', minzoom: 10, paint }, 'orchards-fill'));
        }
        const legend = health
          ? el(
              'div',
              {},
              ['healthy', 'watch', 'stressed', 'severe', 'no_canopy'].map((h) => row(fill(HEALTH_COLORS[h]), `h_${h}`)),
              cat.isVector('orchards') ? row(fill('rgba(255,255,255,0.6)', '#6b6b6b'), 'not_flown') : null,
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
    title: 'l_uav',
    // Before the flights are read, the latest raster by name stands for the layer.
    sources: () => (current() ? [current().layer] : rasterIds.slice(-1)),
    bounds: () => current()?.bounds,
    focus: true,
    build(m) {
      map = m;
      const legend = el('div');
      const flightSel = el('select', { 'data-i18n-title': 'flight_date', 'aria-label': t('flight_date') });
      const indexSel = el('select', { 'data-i18n-title': 'index', 'aria-label': t('index') });
      const hint = subHeading('zoom_in_uav');
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

registerTheme({ id: 'uav', group: 'g_agri', order: 60, defs });
