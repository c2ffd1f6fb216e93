// Download speed tiers (issue 17; QCVN 81:2019 and the FCC's 4G tier of 5 Mbps): which tier a rate
// falls in, and the colour steps of the tier view. The tiers are the store's parameters
// (`[coverage.quality] tiers_mbps`, published in /catalog thresholds.coverage.tiers_mbps); the
// colours are those of the `dl_mbps_*` rasters' legend (/tiles/{layer}/legend.json) so the hamlets
// and the raster agree. Pure: tested under Node (web/test/tiers.test.js).

/// The colours of src/tiles/colormap.rs `speed_tiers`, for a store whose rasters are not served.
const BELOW = '#fdae61';
const NO_RATE = '#d73027';
const LO = [217, 239, 139];
const HI = [26, 152, 80];

const hex = (c) => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/// Tiers as sorted, distinct positive numbers.
export function cleanTiers(tiers) {
  return [...new Set((tiers || []).map(Number).filter((v) => Number.isFinite(v) && v > 0))].sort((a, b) => a - b);
}

/// The tier of a rate: null for no value, 0 below the first tier, k + 1 at or above tier k.
export function tierOf(mbps, tiers) {
  if (mbps === null || mbps === undefined || mbps === '' || !Number.isFinite(+mbps)) return null;
  const t = cleanTiers(tiers);
  let k = 0;
  while (k < t.length && +mbps >= t[k]) k++;
  return k;
}

/// A tier's range as text: "< 5 Mbps", "5–25 Mbps", "≥ 25 Mbps".
export function tierLabel(k, tiers) {
  const t = cleanTiers(tiers);
  if (k === null || k === undefined || !t.length) return '';
  if (k === 0) return `< ${t[0]} Mbps`;
  if (k >= t.length) return `≥ ${t[t.length - 1]} Mbps`;
  return `${t[k - 1]}–${t[k]} Mbps`;
}

/// The colour steps [{min, color, label}] of the tier view, ascending: from the raster legend's
/// entries when given (a `steps` legend in Mbps), else from the tiers with the service's palette.
export function tierSteps(tiers, legend = null) {
  const t = cleanTiers(tiers);
  const entries = legend && legend.type === 'steps' && legend.unit === 'Mbps' ? legend.entries || [] : [];
  if (entries.length) {
    // Opaque: the raster's alpha suits an overlay, not a point drawn on top of it.
    const opaque = (c) => (/^#[0-9a-f]{8}$/i.test(c) ? c.slice(0, 7) : c);
    return [...entries].sort((a, b) => a.value - b.value).map((e) => ({ min: e.value, color: opaque(e.color), label: e.label }));
  }
  if (!t.length) return [];
  const out = [
    { min: 0, color: NO_RATE, label: 'no data rate (0 Mbps)' },
    { min: 1e-3, color: BELOW, label: tierLabel(0, t) },
  ];
  t.forEach((v, k) => {
    const f = t.length > 1 ? k / (t.length - 1) : 1;
    out.push({ min: v, color: hex(LO.map((lo, i) => lo + (HI[i] - lo) * f)), label: tierLabel(k + 1, t) });
  });
  return out;
}

/// A MapLibre expression colouring a feature by the rate in `field`: the steps' colours, `none`
/// where the field is empty (no serving cell).
export function tierExpression(field, steps, none = '#9e9e9e') {
  if (!steps.length) return none;
  const v = ['to-number', ['get', field], -1];
  const expr = ['step', v, none];
  for (const s of steps) expr.push(s.min, s.color);
  return ['case', ['==', ['get', field], null], none, expr];
}
