// The dashboard: the province's indicators as the operations centre reports them, a chart per
// district, and the lists people act on (uncovered hamlets by population, orchards whose health
// fell, hamlets at high risk). Every number comes from the service's APIs as served; every row
// and bar flies the map to its feature.
import { allItems, rows } from './api.js';
import { centroid } from './basemap.js';
import { fieldLabel, onLanguage, t } from './i18n.js';
import { findField, fraction, indicatorFields, num, pct, shareKind, value } from './format.js';
import { el } from './legend.js';
import { display, showPopup } from './popup.js';

const MAX_ROWS = 100;
const CARDS = 8;

export class Dashboard {
  constructor(root, map, cat, panel) {
    this.root = root;
    this.map = map;
    this.cat = cat;
    this.panel = panel;
    this.tab = null;
    this.metric = null;
    this.data = {};
    onLanguage(() => this.render());
  }

  async load() {
    const cat = this.cat;
    const [province, districts] = await Promise.all([
      cat.get('province_indicators') ? rows('api/indicators?level=province').catch(() => null) : null,
      cat.get('district_indicators') ? rows('api/indicators?level=district').catch(() => null) : null,
    ]);
    this.data.province = province?.[0] || null;
    this.data.districts = districts;
    if (!this.data.province) this.data.facts = await this.basicFacts();
    if (!districts) this.data.districtFallback = await this.districtPopulation();
    this.tables = this.tableDefs();
    this.tab = this.tables[0]?.id || null;
    this.render();
    return this;
  }

  /// Without the coverage indicators: what the dataset itself says.
  async basicFacts() {
    const cat = this.cat;
    const count = (id) => cat.get(id)?.feature_count;
    let population = null;
    if (cat.has('province')) {
      const p = await allItems('province').catch(() => []);
      population = p[0]?.properties?.population ?? null;
    }
    return [
      ['districts', count('districts')],
      ['communes', count('communes')],
      ['hamlets', count('hamlets')],
      ['population', population],
      ['cell_sites', count('cell_sites')],
      ['orchards', count('orchards')],
    ].filter(([, v]) => v !== undefined && v !== null && v !== 0);
  }

  async districtPopulation() {
    if (!this.cat.has('districts') || !this.cat.hasField('districts', 'population')) return null;
    const fs = await allItems('districts').catch(() => []);
    return fs.map((f) => {
      const c = centroid(f.geometry);
      return { ...f.properties, id: f.id, lon: c[0], lat: c[1] };
    });
  }

  render() {
    this.root.replaceChildren(this.provinceSection(), this.districtSection(), this.tableSection());
  }

  provinceSection() {
    const s = el('section', { class: 'dash-sec', id: 'dash-province' }, el('h2', { text: t('province_report') }));
    const p = this.data.province;
    if (!p) {
      s.append(el('p', { class: 'muted', text: t('not_built') }), el('h4', { text: t('basic_facts') }));
      s.append(
        el(
          'div',
          { class: 'kpis' },
          (this.data.facts || []).map(([k, v]) => el('div', { class: 'kpi', 'data-fact': k, 'data-value': v }, el('b', { text: num(v) }), el('span', { text: t(k) }))),
        ),
      );
      return s;
    }
    const h = findField(p, 'hamlets_share');
    const ppl = findField(p, 'people_share');
    const fib = findField(p, 'fiber_communes_share');
    if (h || ppl || fib) {
      const f = (name) => (name ? pct(p[name], shareKind(name)) : '–');
      s.append(el('p', { class: 'report', id: 'report-sentence', text: t('report_sentence', { hamlets: f(h), people: f(ppl), fiber: f(fib) }) }));
    }
    const fields = indicatorFields(p);
    const cards = fields.slice(0, CARDS);
    s.append(
      el(
        'div',
        { class: 'kpis' },
        cards.map((k) =>
          el(
            'div',
            { class: `kpi${shareKind(k) ? ' share' : ''}`, 'data-field': k, 'data-value': p[k] },
            el('b', { text: value(k, p[k]) }),
            el('span', { text: fieldLabel(k) }),
            shareKind(k) ? el('i', { class: 'meter' }, el('i', { style: `width:${Math.max(0, Math.min(100, fraction(k, p[k]) * 100))}%` })) : null,
          ),
        ),
      ),
    );
    if (fields.length > CARDS) {
      const rest = fields.slice(CARDS);
      s.append(
        el(
          'details',
          { class: 'more' },
          el('summary', { text: `${t('indicators')} (+${rest.length})` }),
          el('table', { class: 'kv' }, el('tbody', {}, rest.map((k) => el('tr', { 'data-field': k, 'data-value': p[k] }, el('th', { text: fieldLabel(k) }), el('td', { text: value(k, p[k]) }))))),
        ),
      );
    }
    return s;
  }

  districtSection() {
    const s = el('section', { class: 'dash-sec', id: 'dash-districts' }, el('h2', { text: t('by_district') }));
    const list = this.data.districts || this.data.districtFallback;
    if (!list?.length) {
      s.append(el('p', { class: 'muted', text: t('not_built') }));
      return s;
    }
    const numeric = indicatorFields(list[0]);
    const metrics = numeric.filter((k) => shareKind(k)).concat(numeric.filter((k) => !shareKind(k) && /pop|hamlet/.test(k)));
    if (!metrics.length) metrics.push(...numeric.slice(0, 1));
    if (!this.metric || !metrics.includes(this.metric)) this.metric = findField(list[0], 'people_share') || metrics[0];
    const sel = el(
      'select',
      {
        'aria-label': t('chart_metric'),
        onchange: () => {
          this.metric = sel.value;
          s.replaceWith(this.districtSection());
        },
      },
      metrics.map((k) => el('option', { value: k, text: fieldLabel(k), selected: k === this.metric })),
    );
    s.append(el('label', { class: 'ctl' }, el('span', { text: t('chart_metric') }), sel), this.chart(list, this.metric));
    return s;
  }

  /// Horizontal bars, one per district, largest first; a click flies to the district.
  chart(list, metric) {
    const kind = shareKind(metric);
    const items = list
      .filter((r) => typeof r[metric] === 'number')
      .map((r) => ({ r, v: kind ? fraction(metric, r[metric]) : r[metric], raw: r[metric] }))
      .sort((a, b) => b.v - a.v);
    const max = kind ? 1 : Math.max(...items.map((i) => i.v), 1);
    const ns = 'http://www.w3.org/2000/svg';
    const rowH = 22;
    const W = 360;
    const labelW = 110;
    const valueW = 64;
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${items.length * rowH + 4}`);
    svg.setAttribute('class', 'chart');
    svg.setAttribute('role', 'img');
    items.forEach(({ r, v, raw }, i) => {
      const g = document.createElementNS(ns, 'g');
      g.setAttribute('class', 'bar');
      g.setAttribute('transform', `translate(0,${i * rowH + 2})`);
      g.dataset.district = r.name ?? r.code ?? '';
      const w = Math.max(1, ((W - labelW - valueW) * v) / max);
      const frac = kind ? v / max : null;
      const color = frac === null ? '#5a7bb5' : frac >= 0.9 ? '#1a9850' : frac >= 0.75 ? '#91cf60' : frac >= 0.6 ? '#fee08b' : '#fc8d59';
      g.innerHTML = `<title></title><rect class="bg" x="0" y="0" width="${W}" height="${rowH - 2}" rx="3"/><text x="4" y="${rowH / 2 + 3}" class="lbl"></text><rect x="${labelW}" y="4" width="${w}" height="${rowH - 10}" rx="2" fill="${color}"/><text x="${W - 4}" y="${rowH / 2 + 3}" class="val" text-anchor="end"></text>`;
      g.querySelector('.lbl').textContent = r.name ?? r.code ?? `#${r.id}`;
      g.querySelector('.val').textContent = value(metric, raw);
      g.querySelector('title').textContent = `${r.name ?? ''}: ${value(metric, raw)}`;
      g.addEventListener('click', () => {
        if (typeof r.lon === 'number') this.map.flyTo({ center: [r.lon, r.lat], zoom: 9.5, essential: true });
      });
      svg.append(g);
    });
    return svg;
  }

  /// The lists, each only when its layer exists: `rows(features)` picks and orders the features of
  /// `source` (fetched once, by `loadRows`); `ranked`, when the store has it, is an API list used
  /// instead.
  tableDefs() {
    const cat = this.cat;
    const defs = [];
    if (cat.get('coverage_gaps') || cat.has('hamlet_coverage')) {
      defs.push({
        id: 'uncovered',
        title: 't_uncovered',
        layer: 'hamlet_coverage',
        source: 'hamlet_coverage',
        ranked: cat.get('coverage_gaps') ? { url: `api/gaps?limit=${MAX_ROWS}`, source: 'coverage_gaps' } : null,
        rows: (fs) => byPopulation(fs.filter((f) => +f.properties.covered === 0).map(featRow)),
        columns: (r) => pick(r, [['name', 'hamlet_name'], ['commune_name', 'commune', 'commune_code'], ['population', 'people'], ['rsrp_dbm', 'best_rsrp_dbm']]),
      });
    }
    if (cat.has('orchard_health') && cat.hasField('orchard_health', 'health_fell')) {
      defs.push({
        id: 'declined',
        title: 't_declined',
        layer: 'orchards',
        source: 'orchard_health',
        rows: (fs) => {
          const latest = fs.some((f) => 'latest' in f.properties);
          const r = fs.filter((f) => +f.properties.health_fell === 1 && (!latest || +f.properties.latest === 1)).map(featRow);
          return r.sort((a, b) => (a.ndvi_change ?? 0) - (b.ndvi_change ?? 0));
        },
        columns: (r) => pick(r, [['orchard_id'], ['crop'], ['commune_code'], ['ndvi_change'], ['health_class']]),
      });
    }
    if (cat.has('hamlet_risk')) {
      defs.push({
        id: 'risk',
        title: 't_risk',
        layer: 'hamlet_risk',
        source: 'hamlet_risk',
        rows: async (fs) => {
          let r = fs.map(featRow).filter((x) => Math.max(+x.landslide_class || 0, +x.flood_class || 0) >= 4);
          if (r.length && (r[0].population === undefined || r[0].name === undefined) && cat.has('hamlets')) {
            const hs = new Map((await allItems('hamlets')).map((f) => [String(f.id), f.properties]));
            r = r.map((x) => ({ ...hs.get(String(x.hamlet_id)), ...x }));
          }
          return byPopulation(r);
        },
        columns: (r) => pick(r, [['name'], ['population'], ['landslide_class'], ['flood_class']]),
      });
    }
    return defs;
  }

  /// A list's rows and the layer they come from: the ranked API list when there is one and it
  /// answers, else the list's pick of its source's features.
  async loadRows(d) {
    if (d.ranked) {
      const r = await rows(d.ranked.url);
      if (r) return { rows: r, source: d.ranked.source };
    }
    return { rows: await d.rows(await allItems(d.source)), source: d.source };
  }

  tableSection() {
    const s = el('section', { class: 'dash-sec', id: 'dash-tables' }, el('h2', { text: t('tables') }));
    if (!this.tables.length) {
      s.append(el('p', { class: 'muted', text: t('not_built') }));
      return s;
    }
    const tabs = el(
      'div',
      { class: 'tabs', role: 'tablist' },
      this.tables.map((d) =>
        el('button', {
          type: 'button',
          role: 'tab',
          'aria-selected': d.id === this.tab ? 'true' : 'false',
          'data-tab': d.id,
          text: t(d.title),
          onclick: () => {
            this.tab = d.id;
            s.replaceWith(this.tableSection());
          },
        }),
      ),
    );
    const body = el('div', { class: 'table-wrap' }, el('p', { class: 'muted', text: t('loading') }));
    s.append(tabs, body);
    const d = this.tables.find((x) => x.id === this.tab);
    (d.cache ||= this.loadRows(d))
      .then(({ rows: list, source }) => body.replaceChildren(this.table(d, list || [], source)))
      .catch((e) => body.replaceChildren(el('p', { class: 'err', text: `${t('load_failed')}: ${e.message}` })));
    return s;
  }

  table(d, list, source) {
    if (!list.length) return el('p', { class: 'muted', text: t('no_rows') });
    const cols = d.columns(list[0]);
    const shown = list.slice(0, MAX_ROWS);
    return el(
      'div',
      {},
      el('small', { class: 'muted', text: t('rows_of', { n: shown.length, total: list.length }) }),
      el(
        'table',
        { class: 'grid rows', 'data-table': d.id },
        el('thead', {}, el('tr', {}, cols.map((c) => el('th', { text: fieldLabel(c) })))),
        el(
          'tbody',
          {},
          shown.map((r) =>
            el(
              'tr',
              { tabindex: 0, onclick: () => this.fly(d, r, source), onkeydown: (e) => e.key === 'Enter' && this.fly(d, r, source) },
              cols.map((c) => el('td', { text: display(c, r[c]) })),
            ),
          ),
        ),
      ),
    );
  }

  fly(d, r, source) {
    if (typeof r.lon !== 'number') return;
    this.panel.ensureOn(d.layer);
    this.map.flyTo({ center: [r.lon, r.lat], zoom: Math.max(this.map.getZoom(), 13), essential: true });
    this.map.once('moveend', () => showPopup(this.map, [r.lon, r.lat], source, r, r.id));
  }
}

/// A feature as a row: its properties, id and a representative point.
function featRow(f) {
  const c = f.geometry ? centroid(f.geometry) : [undefined, undefined];
  return { ...f.properties, id: f.id, lon: c[0], lat: c[1] };
}

/// Rows with the most people first.
function byPopulation(rs) {
  return rs.sort((a, b) => (b.population ?? 0) - (a.population ?? 0));
}

/// For each column, the first name the row has.
function pick(r, alternatives) {
  return alternatives.map((alts) => alts.find((a) => a in r)).filter(Boolean);
}
