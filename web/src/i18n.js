// Interface text in Vietnamese (default: the operations centre's language) and English. Elements
// carry data-i18n="key" (text) or data-i18n-title="key" (tooltip); applyLanguage() rewrites them.
// Data values (place names, field values) are never translated.

// The text of both languages is data (i18n.json, one entry per key: {vi, en}): `interface` for the
// interface, `fields` for the labels of indicator fields (the coverage engine's names; unknown fields
// are shown as named).
import TEXT from './i18n.json' with { type: 'json' };

const STRINGS = TEXT.interface;
const FIELD_LABELS = TEXT.fields;

let lang = 'vi';
const listeners = [];

export function currentLang() {
  return lang;
}

export function t(key, vars) {
  const s = STRINGS[key];
  let out = s ? s[lang] ?? s.en : key;
  if (vars) for (const [k, v] of Object.entries(vars)) out = out.replaceAll(`{${k}}`, v);
  return out;
}

/// Whether a key has text in both languages (the unit tests check every key the layers use).
export function translated(key) {
  const s = STRINGS[key];
  return !!s && typeof s.vi === 'string' && typeof s.en === 'string';
}

/// A field's label, or the field name made readable.
export function fieldLabel(name) {
  const l = FIELD_LABELS[name];
  if (l) return l[lang];
  const op = /_(viettel|vnpt|mobifone|vinaphone)$/.exec(name);
  if (op && FIELD_LABELS[name.slice(0, op.index)]) {
    const n = { viettel: 'Viettel', vnpt: 'VNPT', mobifone: 'MobiFone', vinaphone: 'VinaPhone' }[op[1]];
    return `${FIELD_LABELS[name.slice(0, op.index)][lang]} · ${n}`;
  }
  return name.replaceAll('_', ' ');
}

export function onLanguage(fn) {
  listeners.push(fn);
}

export function setLanguage(l) {
  lang = l === 'en' ? 'en' : 'vi';
  document.documentElement.lang = lang;
  try {
    localStorage.setItem('covermap.lang', lang);
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyLanguage(document);
  for (const fn of listeners) fn(lang);
}

export function initialLanguage() {
  let l;
  try {
    l = new URLSearchParams(location.search).get('lang') || localStorage.getItem('covermap.lang');
  } catch {
    // storage blocked: the URL or the default decides
    l = null;
  }
  return l === 'en' ? 'en' : 'vi';
}

export function applyLanguage(root) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) {
    el.title = t(el.dataset.i18nTitle);
    el.setAttribute('aria-label', el.title);
  }
}
