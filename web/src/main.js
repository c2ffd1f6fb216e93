// covermap web map: reads the service's catalog, draws the offline basemap and whichever thematic
// layers the results store has, and wires the layer panel, the dashboard, popups and the
// Vietnamese/English switch. Everything is fetched from this service; nothing from the internet.
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';
import { BASE, loadCatalog } from './api.js';
import { addAdminLabels, addBasemap, baseStyle } from './basemap.js';
import { Dashboard } from './dashboard.js';
import { applyLanguage, initialLanguage, setLanguage, t } from './i18n.js';
import { layerDefs } from './layers/index.js';
import { LayerPanel } from './panel.js';
import { installPopups } from './popup.js';

maplibregl.setWorkerUrl(new URL(`assets/${__WORKER_FILE__}`, BASE).href);

const $ = (s) => document.querySelector(s);
const started = performance.now();

// Exposed for the browser tests and for people poking at the page from the console.
const app = (window.covermap = { ready: false, errors: [], timings: {} });

function fail(msg) {
  app.errors.push(msg);
  const b = $('#banner');
  b.textContent = msg;
  b.hidden = false;
}

function wireChrome() {
  for (const btn of document.querySelectorAll('[data-lang]')) {
    btn.addEventListener('click', () => setLanguage(btn.dataset.lang));
  }
  const toggle = (id) => {
    const p = $(id);
    p.classList.toggle('open');
  };
  $('#btn-layers').addEventListener('click', () => toggle('#layers'));
  $('#btn-dash').addEventListener('click', () => toggle('#dashboard-panel'));
  for (const b of document.querySelectorAll('.panel .close')) b.addEventListener('click', () => b.closest('.panel').classList.remove('open'));
}

function markLanguage(lang) {
  for (const btn of document.querySelectorAll('[data-lang]')) btn.setAttribute('aria-pressed', String(btn.dataset.lang === lang));
}

async function main() {
  setLanguage(initialLanguage());
  markLanguage(document.documentElement.lang);
  wireChrome();
  document.addEventListener('click', (e) => {
    if (e.target.matches?.('[data-lang]')) markLanguage(e.target.dataset.lang);
  });

  const cat = await loadCatalog();
  app.cat = cat;
  app.timings.catalog = performance.now() - started;
  const b = cat.get('province')?.bounds || cat.get('districts')?.bounds || cat.get('hillshade')?.bounds;
  const map = new maplibregl.Map({
    container: 'map',
    style: baseStyle(BASE),
    bounds: b ? [[b[0], b[1]], [b[2], b[3]]] : undefined,
    fitBoundsOptions: { padding: 16 },
    center: b ? undefined : [104, 21.2],
    zoom: b ? undefined : 8,
    maxBounds: b ? [[b[0] - 3, b[1] - 3], [b[2] + 3, b[3] + 3]] : undefined,
    attributionControl: { compact: true, customAttribution: 'covermap · Noto Sans (OFL)' },
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    cooperativeGestures: false,
  });
  map.touchZoomRotate.disableRotation();
  app.map = map;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
  map.on('error', (e) => {
    // Tile errors are reported by the browser too; keep the message for the tests and the banner.
    const msg = e.error?.message || String(e.error || e);
    app.errors.push(msg);
    console.error('map error:', msg);
  });

  await new Promise((resolve) => map.once('load', resolve));
  app.timings.styleLoaded = performance.now() - started;
  addBasemap(map, cat);
  const defs = layerDefs(cat);
  app.defs = defs;
  const panel = new LayerPanel($('#layer-list'), map, cat, defs);
  app.panel = panel;
  installPopups(map);
  map.once('idle', () => {
    app.timings.firstIdle = performance.now() - started;
  });
  const dash = new Dashboard($('#dashboard'), map, cat, panel);
  app.dashboard = dash;
  await Promise.all([
    dash.load().catch((e) => fail(`${t('load_failed')}: ${e.message}`)),
    addAdminLabels(map, cat).catch((e) => fail(`${t('load_failed')}: ${e.message}`)),
  ]);
  applyLanguage(document);
  app.timings.ready = performance.now() - started;
  app.ready = true;
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  console.error(e);
  fail(`${t('load_failed')}: ${e.message}`);
});
