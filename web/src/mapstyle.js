// Style-layer building blocks shared by the basemap and the theme modules: a style layer over one of
// the store's vector layers (each of its tiles carries one source-layer named as the layer), values
// growing with zoom over the province's zoom range, round lines.

/// `lo` at zoom 7 (the whole province in view) growing linearly to `hi` at zoom `z` (13: a village).
export const byZoom = (lo, hi, z = 13) => ['interpolate', ['linear'], ['zoom'], 7, lo, z, hi];

/// A style layer drawing the store's vector layer `src` (source and source-layer are both its name).
export const vectorLayer = (src, layer) => ({ ...layer, source: src, 'source-layer': src });

/// Layout of lines drawn with round joins and caps (rivers, roads, fiber).
export const ROUND_LINE = { 'line-join': 'round', 'line-cap': 'round' };
