// The H3 hexagon view (`coverage_h3`, issue 17): what a hexagon can be coloured by — its area
// covered at 90 % confidence (`area_share_p90`) or reaching each download speed tier
// (`area_share_<tier>mbps`, the tiers of the store's `[coverage.quality] tiers_mbps`, as
// /api/indicators counts hamlets) — and the fill expression for one operator. Below zoom 11 the
// service tiles the layer as its overview, one feature per hexagon with each operator's shares as
// `<field>_<operator>` (src/tiles/overview.rs), so the hexagons show from z7; from z11 the full
// rows, one per operator. Pure: tested under Node (web/test/h3.test.js).

/// The zoom from which tiles carry one row per hexagon × operator (src/tiles/overview.rs).
export const OVERVIEW_BELOW_ZOOM = 11;

/// A tier's name in field names, as the service writes it: 5 → "5mbps", 2.5 → "2_5mbps".
export function tierKey(mbps) {
  return `${String(mbps).replace('.', '_')}mbps`;
}

/// What the hexagons can be coloured by: [{field, tier}] (tier null for the 90 % share), the speed
/// tiers in ascending order, only those whose field the layer has.
export function h3Choices(fields, tiers) {
  const have = new Set(fields || []);
  const out = have.has('area_share_p90') ? [{ field: 'area_share_p90', tier: null }] : [];
  const ts = [...new Set((tiers || []).map(Number).filter((v) => Number.isFinite(v) && v > 0))].sort((a, b) => a - b);
  for (const t of ts) {
    const field = `area_share_${tierKey(t)}`;
    if (have.has(field)) out.push({ field, tier: t });
  }
  return out;
}

/// The property a feature holds `field` of operator `op` in: the overview's `<field>_<op>` below
/// the overview zoom, the row's own field (rows filtered by operator) from it.
export function h3Property(field, op, overview) {
  return overview ? `${field}_${op}` : field;
}

/// A MapLibre fill colour for `field` of operator `op` with the share ramp `stops` (0–1); `none`
/// where the value is unknown (no rate raster: a build merged from shards).
export function h3Color(field, op, overview, stops, none = 'rgba(0,0,0,0)') {
  const prop = h3Property(field, op, overview);
  const raw = ['to-number', ['get', prop], 0];
  // Shares are 0–1; a store that wrote percentages still draws right.
  const share = ['case', ['>', raw, 1.0001], ['/', raw, 100], raw];
  return ['case', ['==', ['get', prop], null], none, ['interpolate', ['linear'], share, ...stops]];
}
