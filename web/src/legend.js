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

/// Inline SVG icons (drawn, not font glyphs: the embedded fonts carry no symbol ranges, so a
/// symbol character would show as an empty box). `name`: zoom (crosshair), menu, dashboard.
const ICON_PATHS = {
  zoom: 'M8 1v3M8 12v3M1 8h3M12 8h3M8 4.5a3.5 3.5 0 1 1 0 7a3.5 3.5 0 1 1 0-7z',
  menu: 'M2 4h12M2 8h12M2 12h12',
  dashboard: 'M2 2h5v5H2zM9 2h5v5H9zM2 9h5v5H2zM9 9h5v5H9z',
};
export function icon(name, size = 16) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  for (const [k, v] of Object.entries({ viewBox: '0 0 16 16', width: size, height: size, 'aria-hidden': 'true', class: `svg-icon icon-${name}` })) svg.setAttribute(k, v);
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICON_PATHS[name]);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', '1.6');
  path.setAttribute('stroke-linecap', 'round');
  svg.append(path);
  return svg;
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

// Vietnamese for the phrases of the service's raster legend labels. The labels carry the values
// (thresholds from the store's parameters), so only the words are translated here.
const PHRASES_VI = {
  'no service': 'không có sóng',
  'below coverage': 'dưới ngưỡng phủ',
  'weak, covered': 'yếu, có phủ',
  covered: 'có phủ',
  fair: 'khá',
  good: 'tốt',
  excellent: 'rất tốt',
  'very low': 'rất thấp',
  low: 'thấp',
  moderate: 'trung bình',
  high: 'cao',
  'very high': 'rất cao',
  canopy: 'tán cây',
  'healthy canopy': 'tán cây khỏe',
  'no throughput': 'không truyền được dữ liệu',
  'peak rate': 'tốc độ tối đa',
  'no data rate': 'không có tốc độ',
  'covered at 50 % of locations': 'có phủ tại 50 % vị trí',
  'covered at 90 % of locations': 'có phủ tại 90 % vị trí',
};

/// "phrase (range)" or "N phrase" or "value phrase" in Vietnamese; a bare range ("5 to 25 Mbps",
/// "−10 to 0 dB") with "đến"; the label itself when unknown.
export function labelVi(label) {
  const m = /^(-?[\d.]+ )?([^(]*?)\s*(\(.*\))?$/.exec(label || '');
  if (!m || !(m[2] in PHRASES_VI)) return /^[−\-<≥\d]/.test(label || '') ? label.replace(' to ', ' đến ') : label;
  const range = m[3] ? ` ${m[3].replace(' to ', ' đến ')}` : '';
  return `${m[1] || ''}${PHRASES_VI[m[2]]}${range}`;
}

/// A service legend label in the interface language.
export function labelFor(label) {
  return currentLang() === 'vi' ? labelVi(label) : label;
}

/// What a raster legend shows, from /tiles/{layer}/legend.json: a ramp ({kind: 'ramp', colors, lo,
/// hi}) or rows, highest first ({kind: 'rows', rows: [{color, label}]}), labels in the interface
/// language. Ramp ends carry the legend's unit (not for classes).
export function legendModel(lg) {
  const entries = lg?.entries || [];
  if (lg?.type === 'ramp' && entries.length > 1) {
    const fmt = (v) => `${+(+v).toFixed(2)}${lg.unit && lg.unit !== 'class' ? ` ${lg.unit}` : ''}`;
    return { kind: 'ramp', colors: entries.map((e) => e.color), lo: fmt(entries[0].value), hi: fmt(entries[entries.length - 1].value) };
  }
  return { kind: 'rows', rows: [...entries].reverse().map((e) => ({ color: e.color, label: labelFor(e.label || String(e.value)) })) };
}

/// The legend of a raster layer, as the service describes it.
export async function rasterLegend(id) {
  const box = el('div', { class: 'lg-raster' });
  try {
    const lg = await getJSON(`tiles/${encodeURIComponent(id)}/legend.json`);
    box.dataset.unit = lg.unit || '';
    const render = () => {
      const m = legendModel(lg);
      box.replaceChildren(...(m.kind === 'ramp' ? [ramp(m.colors, m.lo, m.hi)] : m.rows.map((r) => row(fill(r.color), r.label, true))));
    };
    render();
    onLanguage(render);
  } catch (e) {
    box.append(el('small', { class: 'err', text: `${t('load_failed')}: ${e.message}` }));
  }
  return box;
}
