// Bundles the web map for embedding into the covermap binary (called by the crate's build.rs, or
// `npm run build` → web/dist). Output: index.html, assets/app-<hash>.js (the app + MapLibre GL JS,
// minified ESM), assets/app-<hash>.css, assets/maplibre-gl-worker-<hash>.mjs (MapLibre's worker,
// copied as published), assets/icon.svg, and a .br and .gz twin of every text file so the server
// sends them compressed without compressing per request.
//
// Usage: node build.mjs [--outdir DIR]
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const oi = argv.indexOf('--outdir');
const outdir = oi >= 0 ? argv[oi + 1] : join(here, 'dist');
const t0 = performance.now();

rmSync(outdir, { recursive: true, force: true });
mkdirSync(join(outdir, 'assets'), { recursive: true });

const hash8 = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);

// MapLibre's worker, under a content-hashed name the app is told about.
const worker = readFileSync(join(here, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'));
const workerName = `maplibre-gl-worker-${hash8(worker)}.mjs`;
writeFileSync(join(outdir, 'assets', workerName), worker);

const result = await build({
  absWorkingDir: here,
  entryPoints: { app: 'src/main.js' },
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2022', 'chrome110', 'safari16', 'firefox115'],
  outdir: join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  define: { __WORKER_FILE__: JSON.stringify(workerName) },
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => relative(join(outdir), join(here, p)));
const js = outputs.find((p) => p.endsWith('.js'));
const css = outputs.find((p) => p.endsWith('.css'));
if (!js || !css) throw new Error(`esbuild produced no app js/css: ${outputs.join(', ')}`);

writeFileSync(join(outdir, 'assets/icon.svg'), readFileSync(join(here, 'src/icon.svg')));
const html = readFileSync(join(here, 'src/index.html'), 'utf8')
  .replaceAll('{{APP_JS}}', js)
  .replaceAll('{{APP_CSS}}', css);
writeFileSync(join(outdir, 'index.html'), html);

// Precompressed twins of the text files.
const walk = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? walk(join(d, n)) : [join(d, n)]));
let raw = 0;
let br = 0;
for (const f of walk(outdir)) {
  if (!/\.(js|mjs|css|html|svg|json|txt)$/.test(f)) continue;
  const b = readFileSync(f);
  const z = brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } });
  writeFileSync(`${f}.br`, z);
  writeFileSync(`${f}.gz`, gzipSync(b, { level: 9 }));
  raw += b.length;
  br += z.length;
}
console.log(`web: bundled into ${outdir} in ${((performance.now() - t0) / 1000).toFixed(2)} s (${(raw / 1e6).toFixed(2)} MB, ${(br / 1e6).toFixed(2)} MB brotli)`);
