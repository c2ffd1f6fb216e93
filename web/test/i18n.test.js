// Every interface string the sources name literally — t('key'), 'data-i18n': 'key',
// 'data-i18n-title': 'key', legend rows row(…, 'key') — has Vietnamese and English text
// (web/src/i18n.js). Keys built at run time (t(`h_${v}`)) are not checked here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { translated } from '../src/i18n.js';

const src = new URL('../src/', import.meta.url).pathname;
const files = (d) => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : n.endsWith('.js') ? [join(d, n)] : []));

describe('interface strings', () => {
  it('are translated into both languages', () => {
    const keys = new Map();
    const patterns = [/\bt\('([a-z0-9_]+)'/g, /'data-i18n(?:-title)?': '([a-z0-9_]+)'/g, /\brow\([^()]*(?:\([^()]*\))?[^()]*, '([a-z0-9_]+)'\)/g];
    for (const f of files(src)) {
      const text = readFileSync(f, 'utf8');
      for (const re of patterns) for (const m of text.matchAll(re)) keys.set(m[1], f.slice(src.length));
    }
    assert.ok(keys.size > 50, `found ${keys.size} keys`);
    const missing = [...keys].filter(([k]) => !translated(k)).map(([k, f]) => `${k} (${f})`);
    assert.deepEqual(missing, []);
  });
});
