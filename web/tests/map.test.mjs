// Browser tests of the web map: a real `covermap serve` on the demo store, Debian's Chromium driven
// by playwright-core. Run by scripts/web-test.sh (and `npm test` in web/). Environment:
//   COVERMAP_BIN    the binary (default ../target/release/covermap)
//   COVERMAP_STORE  the results store (default ../out/sonla)
//   CHROMIUM        the browser (default /usr/bin/chromium)
// Screenshots go to web/test-results/ (git-ignored).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const BIN = process.env.COVERMAP_BIN || join(root, 'target/release/covermap');
const STORE = process.env.COVERMAP_STORE || join(root, 'out/sonla');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OUT = join(here, '..', 'test-results');
mkdirSync(OUT, { recursive: true });

const freePort = () =>
  new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

async function waitHealthy(url, ms) {
  const end = Date.now() + ms;
  let last = '';
  while (Date.now() < end) {
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`covermap serve did not become healthy in ${ms} ms (${last})`);
}

let server;
let serverLog = '';
let browser;
let page;
let base;
const log = { console: [], pageErrors: [], failed: [], bad: [], urls: [], pngOk: new Map(), aborted: 0 };

/// Wait until the map has rendered everything it asked for.
const idle = (p = page) =>
  p.evaluate(
    () =>
      new Promise((res) => {
        const m = window.covermap.map;
        const done = () => setTimeout(res, 50);
        if (m.loaded() && m.areTilesLoaded() && !m.isMoving()) done();
        else m.once('idle', done);
      }),
  );

const shot = (name, p = page) => p.screenshot({ path: join(OUT, `${name}.png`) });

async function openPage(viewport, opts = {}, path = '/') {
  const ctx = await browser.newContext({ viewport, locale: 'vi-VN', ...opts });
  const p = await ctx.newPage();
  p.on('console', (m) => {
    if (m.type() === 'error') log.console.push(m.text());
  });
  p.on('pageerror', (e) => log.pageErrors.push(String(e)));
  p.on('requestfailed', (r) => {
    // MapLibre cancels tile requests it no longer needs when the view moves on: not a failure.
    if (r.failure()?.errorText === 'net::ERR_ABORTED') log.aborted++;
    else log.failed.push(`${r.url()} ${r.failure()?.errorText}`);
  });
  p.on('request', (r) => log.urls.push(r.url()));
  p.on('response', (r) => {
    if (r.status() >= 400) log.bad.push(`${r.status()} ${r.url()}`);
    const m = /\/tiles\/([^/]+)\/\d+\/\d+\/\d+\.png/.exec(r.url());
    if (m && r.status() === 200) log.pngOk.set(decodeURIComponent(m[1]), (log.pngOk.get(decodeURIComponent(m[1])) || 0) + 1);
  });
  const t0 = Date.now();
  await p.goto(`${base}${path}`, { waitUntil: 'domcontentloaded' });
  await p.waitForFunction(() => window.covermap?.ready === true, null, { timeout: 30000 });
  await idle(p);
  return { p, ctx, loadMs: Date.now() - t0 };
}

before(async () => {
  assert.ok(existsSync(BIN), `${BIN} missing: cargo build --release`);
  assert.ok(existsSync(join(STORE, 'manifest.json')), `${STORE} is not a results store: make store`);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(BIN, ['serve', '--store', STORE, '--port', String(port), '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  await waitHealthy(base, 60000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--use-gl=swiftshader', '--enable-unsafe-swiftshader'],
  });
});

after(async () => {
  await browser?.close();
  if (server) {
    server.kill('SIGTERM');
    await new Promise((r) => (server.exitCode !== null ? r() : server.once('exit', r)));
  }
});

describe('web map', { timeout: 290000 }, () => {
  it('loads and reaches idle with the basemap and labels', async () => {
    const r = await openPage({ width: 1440, height: 900 });
    page = r.p;
    const timings = await page.evaluate(() => window.covermap.timings);
    console.log(`# page ready in ${r.loadMs} ms (catalog ${timings.catalog | 0} ms, style ${timings.styleLoaded | 0} ms, first idle ${timings.firstIdle | 0} ms, ready ${timings.ready | 0} ms)`);
    const cat = await (await fetch(`${base}/catalog`)).json();
    const layers = await page.evaluate(() => window.covermap.map.getStyle().layers.map((l) => l.id));
    if (cat.tiles.hillshade) assert.ok(layers.includes('hillshade'), 'hillshade basemap');
    if (cat.tiles.communes) assert.ok(layers.includes('commune-lines'));
    if (cat.tiles.districts) {
      assert.ok(layers.includes('district-labels'));
      const n = await page.evaluate(() => window.covermap.map.queryRenderedFeatures({ layers: ['district-labels'] }).length);
      assert.ok(n > 0, 'district names are drawn');
      // Vietnamese letters (ư, ờ, ộ …) live in U+1E00–1EFF: that glyph range was fetched from us.
      assert.ok(log.urls.some((u) => u.startsWith(`${base}/fonts/`) && u.endsWith('/7680-7935.pbf')), 'Vietnamese glyph range requested');
    }
    await shot('01-initial-vi');
  });

  it('renders features for every layer switched on', async () => {
    const defs = await page.evaluate(() => window.covermap.defs.map((d) => ({ id: d.id, sources: d.sources() })));
    assert.ok(defs.length > 0, 'some thematic layer is offered');
    const cat = await (await fetch(`${base}/catalog`)).json();
    const home = await page.evaluate(() => ({ c: window.covermap.map.getCenter().toArray(), z: window.covermap.map.getZoom() }));
    for (const d of defs) {
      const wasOn = await page.locator(`#sw-${d.id}`).isChecked();
      if (!wasOn) await page.locator(`.layer[data-layer="${d.id}"] label.switch`).click();
      await page.waitForFunction((id) => window.covermap.panel.built.has(id), d.id);
      // Layers that fill in asynchronously (the UAV chooser) have a `ready` promise.
      await page.evaluate((id) => window.covermap.panel.built.get(id).ready, d.id);
      // What the layer draws can depend on its controls (the UAV flight): ask again once built.
      d.sources = await page.evaluate((id) => window.covermap.defs.find((x) => x.id === id).sources(), d.id);
      await idle();
      let count = await countFeatures(d, cat);
      if (count === 0) {
        // Nothing at the province view (small parcels, high-zoom imagery): go where the data is.
        await focusOn(d, cat);
        count = await countFeatures(d, cat);
      }
      assert.ok(count > 0, `layer ${d.id} (${d.sources.join(', ')}) renders nothing`);
      console.log(`# layer ${d.id}: ${count} ${isRaster(d, cat) ? 'raster tiles' : 'features'}`);
      await shot(`layer-${d.id}`);
      if (!wasOn) await page.locator(`.layer[data-layer="${d.id}"] label.switch`).click();
      await page.evaluate(({ c, z }) => window.covermap.map.jumpTo({ center: c, zoom: z }), home);
    }
    await idle();
  });

  it('shows SINR per operator with a legend in dB', async () => {
    const cat = await (await fetch(`${base}/catalog`)).json();
    const sinr = Object.keys(cat.tiles).filter((id) => /^sinr_/.test(id)).sort();
    assert.ok(sinr.length > 0, 'the demo store has sinr_<operator> rasters (issue 17)');
    const item = page.locator('.layer[data-layer="sinr"]');
    await item.locator('label.switch').click();
    await page.waitForFunction(() => window.covermap.panel.built.has('sinr'));
    await page.evaluate(() => window.covermap.panel.built.get('sinr').ready);
    await idle();
    const legend = item.locator('.lg-op');
    const first = await legend.getAttribute('data-raster');
    assert.ok(sinr.includes(first), `legend of ${first}`);
    const served = await (await fetch(`${base}/tiles/${first}/legend.json`)).json();
    const rows = await legend.locator('.lg-row').allInnerTexts();
    assert.equal(rows.length, served.entries.length, 'one legend row per entry the service describes');
    assert.ok(rows.every((r) => / dB\b|dB\)/.test(r)), `every row gives dB values: ${rows.join(' | ')}`);
    assert.equal(await page.evaluate(() => window.covermap.map.getLayoutProperty('sinr', 'visibility')), 'visible');
    assert.ok((log.pngOk.get(first) || 0) > 0, `${first} tiles drawn`);
    await shot('06-sinr');
    // Another operator: the map and the legend follow.
    const sel = item.locator('select');
    if (sinr.length > 1) {
      const other = (await sel.locator('option').evaluateAll((os) => os.map((o) => o.value))).find((k) => `sinr_${k}` !== first);
      await sel.selectOption(other);
      await page.waitForFunction((id) => window.covermap.map.getLayer('sinr')?.source === id, `sinr_${other}`);
      await idle();
      assert.equal(await legend.getAttribute('data-raster'), `sinr_${other}`);
      assert.ok((log.pngOk.get(`sinr_${other}`) || 0) > 0, `sinr_${other} tiles drawn`);
    }
    await item.locator('label.switch').click();
    assert.equal(await page.evaluate(() => window.covermap.map.getLayoutProperty('sinr', 'visibility')), 'none');
  });

  it('shows the H3 hexagons from zoom 7, coloured by a speed tier', async () => {
    const cat = await (await fetch(`${base}/catalog`)).json();
    assert.ok(cat.tiles.coverage_h3, 'the demo store has coverage_h3 (issues 12, 17)');
    const item = page.locator('.layer[data-layer="coverage_h3"]');
    await item.locator('label.switch').click();
    await page.waitForFunction(() => window.covermap.panel.built.has('coverage_h3'));
    const home = await page.evaluate(() => ({ c: window.covermap.map.getCenter().toArray(), z: window.covermap.map.getZoom() }));
    await page.evaluate(() => window.covermap.map.jumpTo({ zoom: 7.5 }));
    await idle();
    // Below z9 the tiles hold one feature per hexagon (the overview): thousands over the province.
    const n = await page.evaluate(() => window.covermap.map.queryRenderedFeatures({ layers: ['h3-fill-overview'] }).length);
    assert.ok(n > 1000, `${n} hexagons drawn at z7.5`);
    const sel = item.locator('select.h3-by');
    const opts = await sel.locator('option').evaluateAll((os) => os.map((o) => o.value));
    assert.deepEqual(opts, ['area_share_p90', 'area_share_5mbps', 'area_share_25mbps'], 'the 90 % share and the store’s speed tiers');
    await sel.selectOption('area_share_5mbps');
    const paint = await page.evaluate(() => JSON.stringify(window.covermap.map.getPaintProperty('h3-fill-overview', 'fill-color')));
    assert.ok(paint.includes('"area_share_5mbps_'), `coloured by the 5 Mbps tier: ${paint}`);
    assert.match(await item.locator('.lg-sub').first().innerText(), /5 Mbps/);
    await idle();
    await shot('09-h3-speed-tier');
    await item.locator('label.switch').click();
    await page.evaluate(({ c, z }) => window.covermap.map.jumpTo({ center: c, zoom: z }), home);
    await idle();
  });

  it('shows a hamlet’s signal, SINR, rate and two strongest servers', async () => {
    const fc = await (await fetch(`${base}/collections/hamlet_coverage/items?limit=2000`)).json();
    const f = fc.features.find((x) => x.properties.runner_up_site_id != null && x.properties.dl_mbps != null);
    assert.ok(f, 'a hamlet with a runner-up server');
    const [lon, lat] = f.geometry.coordinates;
    await page.evaluate(({ lon, lat }) => window.covermap.map.jumpTo({ center: [lon, lat], zoom: 14 }), { lon, lat });
    await idle();
    const pt = await page.evaluate(({ lon, lat }) => window.covermap.map.project([lon, lat]), { lon, lat });
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + pt.x, box.y + pt.y);
    const popup = page.locator('.maplibregl-popup .pp[data-kind="hamlet"]');
    await popup.waitFor({ timeout: 10000 });
    const fields = await popup.locator('tr[data-field]').evaluateAll((trs) => trs.map((tr) => tr.dataset.field));
    for (const k of ['rsrp_dbm', 'sinr_db', 'dl_mbps', 'p_covered', 'serving_site_id', 'runner_up_site_id']) assert.ok(fields.includes(k), `popup shows ${k}: ${fields}`);
    assert.ok(fields.indexOf('sinr_db') < fields.indexOf('fiber_distance_m'), 'quality before the rest');
    const text = await popup.innerText();
    assert.ok(text.includes(f.properties.name), `popup of ${f.properties.name}: ${text}`);
    assert.match(await popup.locator('tr[data-field="dl_mbps"] td').innerText(), /Mbps/);
    // Sites by name, not id.
    await page.waitForFunction(() => !/^\d+$/.test(document.querySelector('.maplibregl-popup tr[data-field="runner_up_site_id"] td')?.textContent || '1'));
    await shot('07-hamlet-popup');
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
  });

  it('shows measured vs predicted with the calibration table', async () => {
    const cal = (await (await fetch(`${base}/api/calibration`)).json()).rows;
    assert.ok(cal.length > 0, 'the demo store has a calibration (issue 12)');
    const item = page.locator('.layer[data-layer="measurements"]');
    await item.locator('label.switch').click();
    await page.waitForFunction(() => window.covermap.panel.built.has('measurements'));
    await page.evaluate(() => window.covermap.panel.built.get('measurements').ready);
    const body = item.locator('table.calib tbody tr');
    assert.equal(await body.count(), cal.length, 'one row per operator × band');
    const firstRow = await body.first().locator('td').allInnerTexts();
    assert.equal(firstRow[0].toLowerCase(), `${cal[0].operator} ${cal[0].band ?? ''}`.trim().toLowerCase());
    assert.match(firstRow[4], /→/);
    // Where the drive tests are: around the first measured point.
    const m = (await (await fetch(`${base}/collections/measurements/items?limit=1`)).json()).features[0];
    await page.evaluate((c) => window.covermap.map.jumpTo({ center: c, zoom: 11 }), m.geometry.coordinates);
    await idle();
    await shot('08-measured-vs-predicted');
    await item.locator('label.switch').click();
  });

  it('shows a commune’s indicators on click', async () => {
    const cat = await (await fetch(`${base}/catalog`)).json();
    assert.ok(cat.tiles.communes || cat.tiles.commune_indicators, 'the store has communes');
    let target;
    if (cat.tiles.commune_indicators || cat.tables.commune_indicators) {
      const r = (await (await fetch(`${base}/api/indicators?level=commune`)).json()).rows;
      target = r.find((x) => typeof x.lon === 'number');
    } else {
      const fc = await (await fetch(`${base}/collections/communes/items?limit=1`)).json();
      const f = fc.features[0];
      const ring = f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates[0][0] : f.geometry.coordinates[0];
      const lon = ring.reduce((a, p) => a + p[0], 0) / ring.length;
      const lat = ring.reduce((a, p) => a + p[1], 0) / ring.length;
      target = { ...f.properties, lon, lat };
    }
    await page.evaluate(({ lon, lat }) => window.covermap.map.jumpTo({ center: [lon, lat], zoom: 12 }), target);
    await idle();
    // Click inside the commune where no point or line is drawn on top of it (a hamlet sits at
    // the commune's seat), probing outwards from its representative point.
    const hit = await page.evaluate(({ lon, lat, code }) => {
      const m = window.covermap.map;
      const c = m.project([lon, lat]);
      for (let r = 0; r <= 120; r += 6) {
        for (let a = 0; a < 360; a += r ? 30 : 360) {
          const x = c.x + r * Math.cos((a * Math.PI) / 180);
          const y = c.y + r * Math.sin((a * Math.PI) / 180);
          const fs = m.queryRenderedFeatures([[x - 6, y - 6], [x + 6, y + 6]]);
          const mine = fs.some((f) => f.layer.id === 'commune-hit' && String(f.properties.code) === String(code));
          const clash = fs.some((f) => ['circle', 'symbol', 'line'].includes(f.layer.type) && !['commune-lines', 'district-lines', 'province-line', 'roads', 'roads-casing', 'rivers'].includes(f.layer.id));
          if (mine && !clash) return { x, y };
        }
      }
      return null;
    }, target);
    assert.ok(hit, `a clear point inside commune ${target.name}`);
    const box = await page.locator('#map canvas').boundingBox();
    await page.mouse.click(box.x + hit.x, box.y + hit.y);
    const popup = page.locator('.maplibregl-popup .pp[data-kind="commune"]');
    await popup.waitFor({ timeout: 10000 });
    const text = await popup.innerText();
    assert.ok(text.includes(target.name), `popup names ${target.name}: ${text}`);
    const rowsShown = await popup.locator('tr[data-field]').count();
    assert.ok(rowsShown > 0, 'popup lists indicators');
    if (cat.tiles.commune_indicators || cat.tables.commune_indicators) {
      const fields = await popup.locator('tr[data-field]').evaluateAll((trs) => trs.map((tr) => tr.dataset.field));
      for (const f of fields) assert.ok(f in target, `popup field ${f} is one of the API's`);
    }
    await shot('02-commune-popup');
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
  });

  it('shows the province numbers the API serves', async () => {
    const cat = await (await fetch(`${base}/catalog`)).json();
    const kpis = await page.locator('#dash-province [data-field]').evaluateAll((els) => els.map((e) => ({ f: e.dataset.field, v: e.dataset.value, text: e.textContent })));
    if (cat.tiles.province_indicators || cat.tables.province_indicators) {
      const api = (await (await fetch(`${base}/api/indicators?level=province`)).json()).rows[0];
      assert.ok(kpis.length > 0, 'indicator cards are shown');
      for (const k of kpis) {
        assert.ok(k.f in api, `card ${k.f} is an API field`);
        assert.equal(Number(k.v), Number(api[k.f]), `card ${k.f}`);
        assert.ok(k.text.trim().length > 0);
      }
    } else {
      // Without indicators the dashboard says so and shows the dataset's own counts.
      const facts = await page.locator('#dash-province [data-fact]').evaluateAll((els) => els.map((e) => ({ f: e.dataset.fact, v: Number(e.dataset.value) })));
      assert.ok(facts.length > 0);
      for (const { f, v } of facts) if (cat.tiles[f]) assert.equal(v, cat.tiles[f].feature_count, f);
      console.log('# no province_indicators in the store: checked the basic facts instead');
    }
    const bars = await page.locator('#dash-districts svg.chart g.bar').count();
    console.log(`# district chart: ${bars} bars`);
  });

  it('flies to a table row’s feature', async () => {
    const rowsCount = await page.locator('#dash-tables table.rows tbody tr').count();
    if (!rowsCount) {
      console.log('# no lists in this store (no coverage, risk or UAV layers)');
      return;
    }
    const before = await page.evaluate(() => window.covermap.map.getCenter().toArray());
    await page.locator('#dash-tables table.rows tbody tr').first().click();
    await page.locator('.maplibregl-popup .pp').waitFor({ timeout: 15000 });
    const afterC = await page.evaluate(() => window.covermap.map.getCenter().toArray());
    assert.notDeepEqual(afterC, before, 'the map moved');
    await idle();
    await shot('03-table-row');
    await page.evaluate(() => document.querySelectorAll('.maplibregl-popup').forEach((p) => p.remove()));
  });

  it('loads every list the store has', async () => {
    const tabs = await page.locator('#dash-tables [role=tab]').evaluateAll((els) => els.map((e) => e.dataset.tab));
    for (const tab of tabs) {
      await page.locator(`#dash-tables [role=tab][data-tab="${tab}"]`).click();
      const body = page.locator('#dash-tables .table-wrap');
      await body.locator('table.rows, p.muted:not(:has-text("…")), p.err').first().waitFor({ timeout: 30000 });
      assert.equal(await body.locator('p.err').count(), 0, `list ${tab}: ${await body.innerText()}`);
      const n = await body.locator(`table.rows[data-table="${tab}"] tbody tr`).count();
      console.log(`# list ${tab}: ${n} rows`);
      if (!n) assert.ok((await body.innerText()).trim().length > 0, `list ${tab} says why it is empty`);
    }
  });

  it('switches the interface language', async () => {
    const vi = await page.locator('#layers .panel-head h2').textContent();
    assert.equal(vi, 'Lớp bản đồ');
    const dashVi = await page.locator('#dash-province h2').innerText();
    await page.locator('button[data-lang="en"]').click();
    assert.equal(await page.locator('#layers .panel-head h2').textContent(), 'Map layers');
    assert.notEqual(await page.locator('#dash-province h2').innerText(), dashVi);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await idle();
    await shot('04-english');
    await page.locator('button[data-lang="vi"]').click();
    assert.equal(await page.locator('#layers .panel-head h2').textContent(), 'Lớp bản đồ');
  });

  it('works on a tablet', async () => {
    // In English from the URL, as a shared link would open it.
    const { p, ctx } = await openPage({ width: 1024, height: 768 }, { hasTouch: true, isMobile: false, deviceScaleFactor: 1 }, '/?lang=en');
    assert.equal(await p.locator('#layers .panel-head h2').textContent(), 'Map layers', '?lang=en');
    assert.ok(await p.locator('#btn-dash').isVisible(), 'dashboard button on a tablet');
    await p.locator('#btn-dash').click();
    await p.locator('#dashboard-panel.open').waitFor();
    await p.waitForTimeout(300);
    await shot('05-tablet-dashboard', p);
    await ctx.close();
  });

  it('stayed on 127.0.0.1 with no errors', () => {
    const outside = log.urls.filter((u) => !u.startsWith(`${base}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
    assert.deepEqual(outside, [], 'requests leaving the service');
    assert.deepEqual(log.failed, [], 'failed requests');
    assert.deepEqual(log.bad, [], 'HTTP errors');
    assert.deepEqual(log.pageErrors, [], 'page errors');
    assert.deepEqual(log.console, [], 'console errors');
    console.log(`# ${log.urls.length} requests, all to ${base} (${log.aborted} tile requests cancelled by the map as the view moved)`);
  });
});

function isRaster(d, cat) {
  return d.sources.every((s) => cat.tiles[s]?.kind === 'raster');
}

async function countFeatures(d, cat) {
  if (isRaster(d, cat)) return d.sources.reduce((a, s) => a + (log.pngOk.get(s) || 0), 0);
  return page.evaluate((id) => {
    const m = window.covermap.map;
    const ids = window.covermap.panel.built.get(id).layers.filter((l) => m.getLayer(l));
    return m.queryRenderedFeatures({ layers: ids }).length;
  }, d.id);
}

async function focusOn(d, cat) {
  const src = d.sources[0];
  const e = cat.tiles[src];
  if (e.kind === 'raster') {
    await page.evaluate(({ b, z }) => {
      const m = window.covermap.map;
      m.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 40, animate: false });
      if (m.getZoom() < z) m.jumpTo({ zoom: z });
    }, { b: e.bounds, z: e.minzoom });
  } else {
    const fc = await (await fetch(`${base}/collections/${src}/items?limit=1`)).json();
    const g = fc.features[0].geometry;
    let c = g.coordinates;
    while (Array.isArray(c[0])) c = c[0];
    await page.evaluate((c) => window.covermap.map.jumpTo({ center: c, zoom: 14 }), c);
  }
  await idle();
}
