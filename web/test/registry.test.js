// The layer registry offers exactly the layers the catalog can feed, in the themes' order, with
// operators and sources taken from the catalog (web/src/layers/).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog, operatorKey, setStyles, styles } from '../src/catalog.js';
import { layerDefs, themeIds } from '../src/layers/index.js';
import { registerTheme } from '../src/layers/registry.js';
import { translated } from '../src/i18n.js';
import { catalogDoc, without } from './fixture.js';

const ids = (doc) => layerDefs(new Catalog(doc)).map((d) => d.id);

describe('layer registry', () => {
  it('offers every theme’s layers for a full store, grouped in panel order', () => {
    assert.deepEqual(themeIds(), ['coverage', 'quality', 'accuracy', 'fiber', 'planning', 'risk', 'uav']);
    const defs = layerDefs(new Catalog(catalogDoc()));
    assert.deepEqual(
      defs.map((d) => d.id),
      ['rsrp', 'hamlet_coverage', 'commune_coverage', 'sites', 'sinr', 'dl_mbps', 'speed_tiers', 'coverage_p90', 'coverage_h3', 'measurements',
        'fiber', 'gaps', 'landslide', 'flood', 'hamlet_risk', 'orchards', 'uav'],
    );
    assert.deepEqual([...new Set(defs.map((d) => d.group))], ['g_coverage', 'g_quality', 'g_accuracy', 'g_fiber', 'g_planning', 'g_risk', 'g_agri']);
  });

  it('does not offer a layer the catalog lacks', () => {
    assert.ok(!ids(without('coverage_h3')).includes('coverage_h3'), 'no coverage_h3 before the H3 analysis exists');
    assert.ok(!ids(without('sinr_viettel', 'sinr_vnpt', 'sinr_mobifone')).includes('sinr'));
    assert.ok(!ids(without('coverage_probability')).includes('coverage_p90'));
    const noTiers = catalogDoc();
    delete noTiers.thresholds.coverage.tiers_mbps;
    assert.ok(!ids(noTiers).includes('speed_tiers'), 'no speed-tier view without the store’s tiers');
    const noMeas = ids(without('measurements'));
    assert.ok(!noMeas.includes('measurements'));
    const bare = ids({ tiles: { hillshade: catalogDoc().tiles.hillshade }, tables: {} });
    assert.deepEqual(bare, [], 'a store with only the basemap offers no thematic layer');
  });

  it('takes each layer’s sources from the catalog', () => {
    const cat = new Catalog(catalogDoc());
    for (const d of layerDefs(cat)) {
      for (const s of d.sources()) assert.ok(cat.get(s), `${d.id}: source ${s} is in the catalog`);
    }
    const sinr = layerDefs(cat).find((d) => d.id === 'sinr');
    // Operators from the raster names, "any" first where there is one.
    assert.deepEqual(sinr.operators(), ['mobifone', 'viettel', 'vnpt']);
    assert.deepEqual(layerDefs(cat).find((d) => d.id === 'rsrp').operators(), ['any', 'mobifone', 'viettel', 'vnpt']);
    assert.deepEqual(cat.operatorRasters('dl_mbps').map((r) => r.id), ['dl_mbps_mobifone', 'dl_mbps_viettel', 'dl_mbps_vnpt']);
  });

  it('has Vietnamese and English for every group and title', () => {
    for (const d of layerDefs(new Catalog(catalogDoc()))) {
      assert.ok(translated(d.title), `title ${d.title}`);
      assert.ok(translated(d.group), `group ${d.group}`);
    }
  });

  it('refuses a theme registered twice or a malformed one', () => {
    assert.throws(() => registerTheme({ id: 'coverage', group: 'g_coverage', defs: () => [] }), /registered twice/);
    assert.throws(() => registerTheme({ id: 'x', defs: () => [] }), /missing `group`/);
  });

  it('reads thresholds and tiers from the catalog', () => {
    setStyles(catalogDoc().thresholds);
    assert.equal(styles.coveredDbm, -110);
    assert.deepEqual(styles.tiersMbps, [5, 25], 'sorted');
    assert.equal(styles.classColors.length, 5);
    assert.equal(operatorKey('Viettel'), 'viettel');
    assert.equal(operatorKey('Mobi Fone'), 'mobi_fone');
  });

  // Last: it registers a theme of its own.
  it('hands the theme’s own definition objects to the panel', () => {
    // The panel marks `visible` on a definition and the layer's own closures (a chooser re-adding
    // its map layer) read it there: the registry must not copy definitions.
    const probe = { id: 'probe', title: 'l_hillshade', sources: () => ['hillshade'], build: () => ({ layers: [] }) };
    registerTheme({ id: 'probe-theme', group: 'g_base', order: 999, defs: () => [probe] });
    const got = layerDefs(new Catalog(catalogDoc())).find((d) => d.id === 'probe');
    assert.equal(got, probe, 'the same object');
    assert.equal(got.group, 'g_base', 'group filled in from the theme');
    assert.equal(got.theme, 'probe-theme');
  });
});
