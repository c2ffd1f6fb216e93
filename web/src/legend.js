// Legend building blocks: swatches for fills, lines and circles, class lists, and the raster
// legends the service describes at /tiles/{layer}/legend.json (labels translated where known).
import { getJSON } from './api.js';
import { currentLang, onLanguage, t } from './i18n.js';

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(e.dataset, v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/// One legend row: a swatch and a label (an i18n key or literal text).
export function row(swatch, label, literal = false) {
  const text = literal ? el('span', { text: label }) : el('span', { 'data-i18n': label, text: t(label) });
  return el('div', { class: 'lg-row' }, swatch, text);
}

export const fill = (color, stroke) =>
  el('span', { class: 'sw sw-fill', style: `background:${color};${stroke ? `border-color:${stroke}` : ''}` });
export const line = (color, width = 3, dash = false) =>
  el('span', { class: `sw sw-line${dash ? ' dash' : ''}`, style: `border-top:${width}px ${dash ? 'dashed' : 'solid'} ${color}` });
export const circle = (color, size = 10, stroke = '#fff') =>
  el('span', { class: 'sw sw-circle', style: `width:${size}px;height:${size}px;background:${color};border-color:${stroke}` });

/// A legend of size classes for circles sized by population.
export function sizes(color, stops) {
  return el(
    'div',
    { class: 'lg-sizes' },
    stops.map(([pop, r]) => el('span', { class: 'lg-size' }, circle(color, 2 * r, '#555'), el('small', { text: pop.toLocaleString(currentLang()) }))),
  );
}

/// A continuous ramp bar with end labels.
export function ramp(colors, lo, hi) {
  return el(
    'div',
    { class: 'lg-ramp' },
    el('span', { class: 'bar', style: `background:linear-gradient(90deg,${colors.join(',')})` }),
    el('div', { class: 'ends' }, el('small', { text: lo }), el('small', { text: hi })),
  );
}

// Vietnamese for the service's raster legend labels (by scheme and stop value).
const RASTER_LABELS_VI = {
  'rsrp-bands': {
    '-200': 'không có sóng (< −120 dBm)',
    '-120': 'dưới ngưỡng phủ (−120 đến −110 dBm)',
    '-110': 'yếu, có phủ (−110 đến −100 dBm)',
    '-100': 'khá (−100 đến −90 dBm)',
    '-90': 'tốt (−90 đến −80 dBm)',
    '-80': 'rất tốt (≥ −80 dBm)',
  },
  'RdYlGn-5-reversed': { 1: '1 rất thấp', 2: '2 thấp', 3: '3 trung bình', 4: '4 cao', 5: '5 rất cao' },
};

/// The legend of a raster layer, as the service describes it.
export async function rasterLegend(id) {
  const box = el('div', { class: 'lg-raster' });
  try {
    const lg = await getJSON(`tiles/${encodeURIComponent(id)}/legend.json`);
    const render = () => {
      box.replaceChildren();
      const entries = lg.entries || [];
      const vi = currentLang() === 'vi' ? RASTER_LABELS_VI[lg.scheme] || {} : {};
      if (lg.type === 'ramp' && entries.length > 1) {
        const fmt = (v) => `${+v.toFixed(2)}${lg.unit && lg.unit !== 'class' ? ` ${lg.unit}` : ''}`;
        box.append(ramp(entries.map((e) => e.color), fmt(entries[0].value), fmt(entries[entries.length - 1].value)));
      } else {
        for (const e of [...entries].reverse()) box.append(row(fill(e.color), vi[String(e.value)] || e.label || String(e.value), true));
      }
    };
    render();
    onLanguage(render);
  } catch (e) {
    box.append(el('small', { class: 'err', text: `${t('load_failed')}: ${e.message}` }));
  }
  return box;
}
