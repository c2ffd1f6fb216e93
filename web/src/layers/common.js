// Building blocks the theme modules share: adding a catalog source once, style layers over a
// catalog vector layer or raster, legend sub-headings, circles sized by
// population, an operator chooser, and the "one raster per operator" layer (RSRP, SINR, downlink
// rate) whose operators and legend both come from the service (`<prefix>_<operator>` rasters in
// /catalog, /tiles/{layer}/legend.json).
import { operatorName } from '../catalog.js';
import { t } from '../i18n.js';
import { el, rasterLegend, sizes } from '../legend.js';
import { byZoom, vectorLayer } from '../mapstyle.js';

/// Add a catalog layer as a map source unless it is there already.
export function ensure(map, cat, id) {
  if (!map.getSource(id)) map.addSource(id, cat.source(id));
}

/// Circle radius growing with population (area ∝ people) and with zoom.
export function popRadius(cat, id, small = 1.5, big = 6) {
  if (!cat.hasField(id, 'population')) return byZoom(2.5, 7);
  const s = ['sqrt', ['max', 0, ['to-number', ['get', 'population'], 0]]];
  return [
    'interpolate', ['linear'], ['zoom'],
    7, ['interpolate', ['linear'], s, 0, small, 45, big],
    13, ['interpolate', ['linear'], s, 0, small * 2.2, 45, big * 2.6],
  ];
}

/// The size legend of population circles.
export const popSizes = (color) => sizes(color, [[100, 2.6], [500, 4.2], [2000, 6.6]]);

/// An operator's label in the chooser: "any operator" and "the serving operator" translated, the
/// others by name.
export const operatorLabel = (key) => (key === 'any' ? t('any_operator') : key === 'serving' ? t('serving_operator') : operatorName(key));

/// A labelled <select> of operator keys; `onchange(key)` when the choice changes. Null (nothing to
/// choose) for fewer than two keys.
export function operatorChooser(keys, current, onchange) {
  if (keys.length < 2) return null;
  const sel = el(
    'select',
    { 'aria-label': t('operator'), 'data-i18n-title': 'operator', onchange: () => onchange(sel.value) },
    keys.map((k) => el('option', { value: k, text: operatorLabel(k) })),
  );
  sel.value = current;
  return el('label', { class: 'ctl' }, el('span', { 'data-i18n': 'operator', text: t('operator') }), sel);
}

/// A layer drawing one raster of a per-operator family (`<prefix>_<key>` in the catalog), with an
/// operator chooser when there are several and the raster's own legend from the service.
/// Returns null when the catalog has none of the family.
export function operatorRasterDef(cat, { id, prefix, title, opacity = 0.72, below = 'fills-anchor', extra = null }) {
  const family = cat.operatorRasters(prefix);
  if (!family.length) return null;
  let current = family[0];
  const def = {
    id,
    title,
    sources: () => [current.id],
    operators: () => family.map((f) => f.key),
    build(map) {
      const add = () => {
        ensure(map, cat, current.id);
        map.addLayer(
          {
            id,
            type: 'raster',
            source: current.id,
            layout: { visibility: def.visible === false ? 'none' : 'visible' },
            paint: { 'raster-opacity': opacity, 'raster-fade-duration': 150 },
          },
          below,
        );
      };
      add();
      const legend = el('div', { class: 'lg-op', 'data-raster': current.id });
      const refresh = () => rasterLegend(current.id).then((l) => legend.replaceChildren(l, ...(extra ? [extra()] : [])));
      const ready = refresh();
      const controls = operatorChooser(
        family.map((f) => f.key),
        current.key,
        (key) => {
          current = family.find((f) => f.key === key);
          map.removeLayer(id);
          add();
          legend.dataset.raster = current.id;
          refresh();
        },
      );
      return { layers: [id], legend, controls, ready };
    },
  };
  return def;
}

/// Add a style layer drawing the catalog's vector layer `src` below `anchor` (adding the source
/// first if needed); returns the style layer's id.
export function addVector(map, cat, src, layer, anchor) {
  ensure(map, cat, src);
  map.addLayer(vectorLayer(src, layer), anchor);
  return layer.id;
}

/// Add a style layer drawing the catalog's raster `src` below `anchor`; returns its id.
export function addRaster(map, cat, src, id, opacity, anchor = 'fills-anchor') {
  ensure(map, cat, src);
  map.addLayer({ id, type: 'raster', source: src, paint: { 'raster-opacity': opacity } }, anchor);
  return id;
}

/// A legend's sub-heading, translated (and re-translated when the language changes).
export const subHeading = (key) => el('div', { class: 'lg-sub', 'data-i18n': key, text: t(key) });

/// Hamlets as circles sized by population with a white outline that thickens with zoom, drawn with
/// `color` (the coverage and speed-tier views of `hamlet_coverage`).
export const hamletCircles = (cat, src, color, opacity) => ({
  'circle-radius': popRadius(cat, src),
  'circle-color': color,
  'circle-opacity': opacity,
  'circle-stroke-color': '#fff',
  'circle-stroke-width': byZoom(0.4, 1.2, 12),
});

/// A theme's one map layer drawn over several catalog vector layers: `parts` maps each of them, in
/// drawing order, to the function (map, legend) → [style layer ids] that adds its style layers and
/// legend rows. Only the layers the catalog has are drawn; with none of them there is no map layer.
/// Returns the theme's definitions ([] or [def]).
export function vectorsDefs(cat, { id, title, parts }) {
  const present = Object.keys(parts).filter((s) => cat.isVector(s));
  if (!present.length) return [];
  const def = {
    id,
    title,
    sources: () => present,
    build(map) {
      const legend = el('div');
      return { layers: present.flatMap((s) => parts[s](map, legend)), legend };
    },
  };
  return [def];
}
