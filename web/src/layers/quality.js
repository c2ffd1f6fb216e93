// Theme "network quality" (issue 17): per operator the downlink SINR and throughput rasters
// (`sinr_<operator>`, `dl_mbps_<operator>`, coloured by the service from `[coverage.quality]`: the
// SINR below which no data flows, the SINR where the rate saturates, the speed tiers), and the
// speed-tier view: hamlets coloured by their downlink rate's tier (per operator or the serving one).
import { getOptional } from '../api.js';
import { styles } from '../catalog.js';
import { onLanguage } from '../i18n.js';
import { circle, el, labelFor, row } from '../legend.js';
import { addVector, hamletCircles, operatorChooser, operatorRasterDef, subHeading } from './common.js';
import { registerTheme } from './registry.js';
import { tierExpression, tierSteps } from './tiers.js';

/// The hamlet fields holding a downlink rate: `dl_mbps` (the serving operator's, key `serving`)
/// and one per operator (`dl_mbps_<key>`), as [{key, field}], the serving one first.
export function rateFields(fields) {
  const out = [];
  if (fields.includes('dl_mbps')) out.push({ key: 'serving', field: 'dl_mbps' });
  for (const f of fields) {
    const m = /^dl_mbps_([a-z0-9_]+)$/.exec(f);
    if (m) out.push({ key: m[1], field: f });
  }
  return out;
}

function speedTierDef(cat) {
  const rates = rateFields(cat.fields('hamlet_coverage'));
  // The tiers are the store's parameters: without them (a service older than the tiers) no view.
  if (!cat.isVector('hamlet_coverage') || !rates.length || !cat.thresholds?.coverage?.tiers_mbps?.length) return null;
  // The colours of the rasters' legend (any operator's, else the first), as the service draws them.
  const raster = cat.operatorRasters('dl_mbps')[0]?.id;
  let current = rates[0];
  return {
    id: 'speed_tiers',
    title: 'l_speed_tiers',
    sources: () => ['hamlet_coverage'],
    build(map) {
      const legend = el('div', { class: 'lg-tiers' });
      let steps = [];
      const paint = () => map.setPaintProperty('speed-tiers', 'circle-color', tierExpression(current.field, steps));
      const layer = {
        id: 'speed-tiers',
        type: 'circle',
        layout: { 'circle-sort-key': ['-', 0, ['to-number', ['get', current.field], 0]] },
        paint: hamletCircles(cat, 'hamlet_coverage', '#9e9e9e', 0.9),
      };
      addVector(map, cat, 'hamlet_coverage', layer, 'labels-anchor');
      const ready = (raster ? getOptional(`tiles/${encodeURIComponent(raster)}/legend.json`).catch(() => null) : Promise.resolve(null)).then((lg) => {
        steps = tierSteps(styles.tiersMbps, lg);
        paint();
        const render = () =>
          legend.replaceChildren(
            ...[...steps].reverse().map((s) => row(circle(s.color, 10), labelFor(s.label), true)),
            row(circle('#9e9e9e', 10), 'no_serving'),
            subHeading('tier_note'),
          );
        render();
        onLanguage(render);
      });
      const controls = operatorChooser(
        rates.map((r) => r.key),
        current.key,
        (key) => {
          current = rates.find((r) => r.key === key);
          map.setLayoutProperty('speed-tiers', 'circle-sort-key', ['-', 0, ['to-number', ['get', current.field], 0]]);
          paint();
        },
      );
      return { layers: ['speed-tiers'], legend, controls, ready };
    },
  };
}

function defs(cat) {
  return [
    operatorRasterDef(cat, { id: 'sinr', prefix: 'sinr', title: 'l_sinr', opacity: 0.75 }),
    operatorRasterDef(cat, { id: 'dl_mbps', prefix: 'dl_mbps', title: 'l_dl_mbps', opacity: 0.75 }),
    speedTierDef(cat),
  ].filter(Boolean);
}

registerTheme({ id: 'quality', group: 'g_quality', order: 20, defs });
