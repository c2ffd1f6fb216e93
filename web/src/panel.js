// The layer panel: basemap switches, then the thematic layers by group, each with a switch, a
// "zoom to" button, its legend and controls (shown while it is on). Only layers the store has
// are listed. The switches' state is kept in the URL hash (#layers=a,b) so a view can be shared.
import { BASE_GROUPS } from './basemap.js';
import { t } from './i18n.js';
import { layerBounds } from './layers/registry.js';
import { el, icon, line, row, circle } from './legend.js';

const BASE_ITEMS = [
  ['hillshade', 'l_hillshade', () => el('div', { class: 'lg-sub' })],
  [
    'admin',
    'l_admin',
    () =>
      el('div', {}, row(line('#3b2a55', 3), 'province_line'), row(line('#5a4a70', 2, true), 'district_line'), row(line('#7d7190', 1), 'commune_line')),
  ],
  ['water', 'l_water', () => el('div', {}, row(line('#5b9fd3', 2), 'river'))],
  ['roads', 'l_roads', () => el('div', {}, row(line('#f7d38a', 4), 'road_major'), row(line('#8f8576', 2), 'road_minor'))],
  ['places', 'l_places', () => el('div', {}, row(circle('#333', 7), 'town'))],
];

function hashLayers() {
  const m = /(?:^#|&)layers=([^&]*)/.exec(location.hash);
  return m ? new Set(decodeURIComponent(m[1]).split(',').filter(Boolean)) : null;
}

export class LayerPanel {
  constructor(root, map, cat, defs) {
    this.map = map;
    this.cat = cat;
    this.defs = defs;
    this.built = new Map();
    this.items = new Map();
    root.replaceChildren();
    const wanted = hashLayers();

    const baseGroup = el('section', { class: 'group' }, el('h3', { 'data-i18n': 'g_base', text: t('g_base') }));
    for (const [id, title, legend] of BASE_ITEMS) {
      if (!BASE_GROUPS[id]?.length) continue;
      const on = !wanted || wanted.has(id) || !wanted.size;
      baseGroup.append(this.item({ id, title, legend: legend(), base: true }, on));
    }
    root.append(baseGroup);

    const groups = new Map();
    for (const d of defs) {
      if (!groups.has(d.group)) {
        const g = el('section', { class: 'group' }, el('h3', { 'data-i18n': d.group, text: t(d.group) }));
        groups.set(d.group, g);
        root.append(g);
      }
      const on = wanted ? wanted.has(d.id) : !!d.defaultOn;
      groups.get(d.group).append(this.item(d, on));
    }
    root.append(el('p', { class: 'hint', 'data-i18n': 'click_hint', text: t('click_hint') }));
  }

  item(d, on) {
    const box = el('input', { type: 'checkbox', id: `sw-${d.id}`, 'data-layer': d.id });
    const details = el('div', { class: 'details' });
    const zoom = d.base
      ? null
      : el(
          'button',
          { type: 'button', class: 'icon', 'data-i18n-title': 'zoom_to', title: t('zoom_to'), 'aria-label': t('zoom_to'), onclick: () => this.zoomTo(d) },
          icon('zoom'),
        );
    const li = el(
      'div',
      { class: 'layer', 'data-layer': d.id },
      el('div', { class: 'layer-head' }, el('label', { class: 'switch' }, box, el('span', { class: 'knob' }), el('span', { 'data-i18n': d.title, text: t(d.title) })), zoom),
      details,
    );
    box.addEventListener('change', () => this.set(d, box.checked, details));
    this.items.set(d.id, { d, box, details, li });
    if (on) {
      box.checked = true;
      this.set(d, true, details);
    }
    if (d.base) details.append(d.legend);
    return li;
  }

  /// Switch a layer on or off (building it the first time).
  set(d, on, details = this.items.get(d.id)?.details) {
    const item = this.items.get(d.id);
    if (item) item.box.checked = on;
    d.visible = on;
    if (d.base) {
      for (const id of BASE_GROUPS[d.id] || []) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
      details.hidden = !on;
      this.saveHash();
      return;
    }
    if (on && !this.built.has(d.id)) {
      const b = d.build(this.map);
      this.built.set(d.id, b);
      if (b.controls) details.append(b.controls);
      details.append(b.legend);
      d.zoomTo = () => this.zoomTo(d);
    }
    const b = this.built.get(d.id);
    if (b) for (const id of b.layers) if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    details.hidden = !on;
    this.saveHash();
  }

  isOn(id) {
    return !!this.items.get(id)?.box.checked;
  }

  /// Turn a layer on by id (dashboard rows use it to show what they point at).
  ensureOn(id) {
    const it = this.items.get(id);
    if (it && !it.box.checked) this.set(it.d, true);
  }

  zoomTo(d) {
    const b = layerBounds(this.cat, d);
    if (b) this.map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, maxZoom: 15 });
  }

  saveHash() {
    const on = [...this.items.values()].filter((i) => i.box.checked).map((i) => i.d.id);
    const h = `layers=${on.join(',')}`;
    if (location.hash.slice(1) !== h) history.replaceState(null, '', `#${h}`);
  }
}
