// Building blocks the theme modules share: adding a catalog source once, circles sized by
// population, an operator chooser, and the "one raster per operator" layer (RSRP, SINR, downlink
// rate) whose operators and legend both come from the service (`<prefix>_<operator>` rasters in
// /catalog, /tiles/{layer}/legend.json).
import { operatorName } from '../catalog.js';
import { t } from '../i18n.js';
import { el, rasterLegend, sizes } from '../legend.js';

/// Add a catalog layer as a map source unless it is there already.
export function ensure(map, cat, id) {
  if (!map.getSource(id)) map.addSource(id, cat.source(id));
}

/// Circle radius growing with population (area ∝ people) and with zoom.
export function popRadius(cat, id, small = 1.5, big = 6) {
  if (!cat.hasField(id, 'population')) return ['interpolate', ['linear'], ['zoom'], 7, 2.5, 13, 7];
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

/// A labelled <select> of operator keys; `onchange(key)` when the choice changes.
export function operatorChooser(keys, current, onchange) {
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
export function operatorRasterDef(cat, { id, prefix, group, title, opacity = 0.72, below = 'fills-anchor', extra = null }) {
  const family = cat.operatorRasters(prefix);
  if (!family.length) return null;
  let current = family[0];
  const def = {
    id,
    group,
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
      const controls =
        family.length > 1
          ? operatorChooser(
              family.map((f) => f.key),
              current.key,
              (key) => {
                current = family.find((f) => f.key === key);
                map.removeLayer(id);
                add();
                legend.dataset.raster = current.id;
                refresh();
              },
            )
          : null;
      return { layers: [id], legend, controls, ready };
    },
  };
  return def;
}
