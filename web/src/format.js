// Number formatting in the interface language, and how indicator fields are recognised: the page
// shows whatever fields the coverage engine wrote, and finds the few it reports in words (shares
// of hamlets and people with 4G, communes with fiber) by name.
import { currentLang, t } from './i18n.js';

/// A number in the interface language's format, with at most `digits` (and at least `minDigits`)
/// decimals.
export function num(v, digits = 0, minDigits = 0) {
  if (v === null || v === undefined || v === '' || Number.isNaN(+v)) return '–';
  return (+v).toLocaleString(currentLang() === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: minDigits });
}

/// Whether a field holds a share (0–1) or a percentage (0–100).
export function shareKind(name) {
  if (/(^|_)(pct|percent)($|_)/.test(name)) return 'pct';
  if (/(^|_)(share|ratio|fraction|rate)($|_)/.test(name)) return 'share';
  return null;
}

/// A share as a fraction 0–1: percentages (by name, or a "share" above 1, as the coverage engine
/// writes `share_*` fields in per cent) are divided by 100.
export function fraction(name, v) {
  const k = shareKind(name);
  return k === 'pct' || Math.abs(+v) > 1.0001 ? +v / 100 : +v;
}

/// A share or percentage as "87,5 %".
export function pct(v, kind = 'share') {
  if (v === null || v === undefined || Number.isNaN(+v)) return '–';
  const p = kind === 'pct' || Math.abs(+v) > 1.0001 ? +v : +v * 100;
  return `${num(p, 1)} %`;
}

/// A field's value for display: shares as percentages, numbers localised, 0/1 flags as yes/no.
export function value(name, v) {
  if (v === null || v === undefined) return '–';
  const k = shareKind(name);
  if (k) return pct(v, k);
  if (typeof v === 'number') {
    // A probability (`p_covered`) is a share too.
    if (/^p_/.test(name)) return pct(v, 'share');
    if (/(^|_)id$/.test(name)) return String(v);
    if ((/(^|_)(covered|good|fiber_ready|has_fiber|health_fell|latest|holdout|challenged)$/.test(name) || /^covered_/.test(name)) && (v === 0 || v === 1)) return v ? t('yes') : t('no');
    if (/_dbm$/.test(name)) return `${num(v, 1)} dBm`;
    if (/_db$/.test(name)) return `${num(v, 1)} dB`;
    if (/(^|_)mbps(_|$)/.test(name)) return `${num(v, 1)} Mbps`;
    if (/_m2$/.test(name)) return v >= 1e4 ? `${num(v / 1e4, 2)} ha` : `${num(v, 0)} m²`;
    if (/(elevation|height|ground|hand)_m$/.test(name)) return `${num(v, 0)} m`;
    if (/_m$/.test(name)) return v >= 1000 ? `${num(v / 1000, 2)} km` : `${num(v, 0)} m`;
    if (/_deg$/.test(name)) return `${num(v, 1)}°`;
    return num(v, Number.isInteger(v) ? 0 : 3);
  }
  return String(v);
}

const EXCLUDE_ID = /^(id|code|district_code|commune_code|lon|lat|level)$/;

/// The indicator fields of a row, most telling first: shares, then counts.
// The operations centre's headline numbers first, then the rest; per-operator figures last.
const PRIORITY = [
  'share_hamlets_4g', 'share_population_4g', 'share_communes_fiber', 'hamlets_4g', 'population_4g', 'communes_fiber',
  'share_hamlets_fiber_ready', 'share_population_fiber_ready', 'mean_rsrp_dbm', 'p10_rsrp_dbm',
];
const OPERATOR = /_(viettel|vnpt|mobifone|vinaphone)$/;

export function indicatorFields(row) {
  const names = Object.keys(row).filter((k) => !EXCLUDE_ID.test(k) && typeof row[k] === 'number');
  const rank = (n) => {
    const p = PRIORITY.indexOf(n);
    if (p >= 0) return p;
    return 100 + (OPERATOR.test(n) ? 100 : 0) + (shareKind(n) ? 0 : /pop|hamlet|commune|fiber/.test(n) ? 10 : 20);
  };
  return names.sort((a, b) => rank(a) - rank(b));
}

/// The field of `row` (or of a list of field names) that best matches a role.
export function findField(rowOrNames, role) {
  const names = Array.isArray(rowOrNames) ? rowOrNames : Object.keys(rowOrNames);
  const share = (n) => shareKind(n) !== null;
  const tests = {
    hamlets_share: (n) => share(n) && /hamlet/.test(n) && !/fiber|operator_/.test(n),
    people_share: (n) => share(n) && /pop|people/.test(n) && !/fiber|operator_/.test(n),
    fiber_communes_share: (n) => share(n) && /commune/.test(n) && /fiber/.test(n),
    fiber_flag: (n) => /^(has_fiber|fiber|fiber_reached|with_fiber)$/.test(n),
    population: (n) => n === 'population',
  };
  const test = tests[role];
  if (!test) return null;
  // Plain names first (`population_4g_share` before `viettel_population_4g_share`).
  return names.filter(test).sort((a, b) => a.length - b.length)[0] || null;
}

/// The fields of a hamlet's popup in reading order: `head` — what a planner asks first: signal
/// (RSRP), quality (SINR, download rate), the location probability, the serving site and the
/// runner-up server, the people; `operators` — one row per operator from the per-operator fields
/// (`rsrp_<op>_dbm`, `sinr_<op>_db`, `dl_mbps_<op>`); `rest` — everything else, as named.
const HAMLET_HEAD = ['rsrp_dbm', 'sinr_db', 'dl_mbps', 'p_covered', 'serving_site_id', 'runner_up_site_id', 'runner_up_rsrp_dbm', 'population'];
export function hamletFields(props) {
  const names = Object.keys(props);
  const ops = new Map();
  const perOp = [
    [/^rsrp_([a-z0-9_]+)_dbm$/, 'rsrp'],
    [/^sinr_([a-z0-9_]+)_db$/, 'sinr'],
    [/^dl_mbps_([a-z0-9_]+)$/, 'mbps'],
  ];
  const taken = new Set();
  for (const n of names) {
    for (const [re, k] of perOp) {
      const m = re.exec(n);
      if (!m) continue;
      if (!ops.has(m[1])) ops.set(m[1], { key: m[1] });
      ops.get(m[1])[k] = props[n];
      taken.add(n);
    }
  }
  const head = HAMLET_HEAD.filter((n) => n in props);
  const skip = new Set([...head, ...taken, 'name', 'hamlet_id', 'commune_code', 'id']);
  return { head, operators: [...ops.values()], rest: names.filter((n) => !skip.has(n)) };
}
