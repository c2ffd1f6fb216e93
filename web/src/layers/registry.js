// The layer registry: each theme module (coverage.js, quality.js, accuracy.js, fiber.js,
// planning.js, risk.js, uav.js) registers itself once with the group it belongs to and a function
// that turns the catalog into its layer definitions. `layerDefs(cat)` asks every theme in order and
// keeps only the layers whose sources the catalog has, so a store without an analysis simply
// offers fewer layers. Adding a map layer = one theme module (or one def in one) + one import in
// layers/index.js.
//
// A definition: {id, group (default: the theme's), title (i18n key), sources() → catalog ids, build(map) → {layers,
// legend, controls?, ready?}, defaultOn?, focus?, bounds?()}.

const themes = [];

/// Register a theme: {id, group (i18n key of the panel section), order, defs(cat) → [def]}.
export function registerTheme(theme) {
  for (const k of ['id', 'group', 'defs']) {
    if (!theme?.[k]) throw new Error(`layer theme ${theme?.id ?? '?'}: missing \`${k}\``);
  }
  if (themes.some((t) => t.id === theme.id)) throw new Error(`layer theme ${theme.id} is registered twice`);
  themes.push({ order: 100, ...theme });
  themes.sort((a, b) => a.order - b.order);
}

/// The registered themes' ids, in panel order.
export function themeIds() {
  return themes.map((t) => t.id);
}

/// Every layer the catalog can feed, theme by theme; ids are unique across themes.
export function layerDefs(cat) {
  const defs = [];
  const seen = new Set();
  for (const th of themes) {
    for (const d of th.defs(cat)) {
      if (seen.has(d.id)) throw new Error(`map layer ${d.id} is defined twice (theme ${th.id})`);
      const srcs = d.sources();
      // Offered only when everything it draws from is served (controls may narrow it later).
      if (!srcs.length || !srcs.every((s) => cat.get(s))) continue;
      seen.add(d.id);
      // The same object, not a copy: the panel sets `visible` on it and the layer's own closures
      // (a chooser re-adding its map layer) read it.
      d.group = d.group || th.group;
      d.theme = th.id;
      defs.push(d);
    }
  }
  return defs;
}

/// Where a layer's features are, for "zoom to layer": its own bounds, else its sources'.
export function layerBounds(cat, def) {
  const b = def.bounds?.();
  if (b) return b;
  let out = null;
  for (const id of def.sources()) {
    const s = cat.get(id)?.bounds;
    if (!s) continue;
    out = out ? [Math.min(out[0], s[0]), Math.min(out[1], s[1]), Math.max(out[2], s[2]), Math.max(out[3], s[3])] : [...s];
  }
  return out;
}
