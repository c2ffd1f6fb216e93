// Every layer definition builds on a map: the style layers it adds draw sources it added first from
// the catalog, a vector layer reads the source-layer named as its source (one layer per store
// layer's tiles), and the ids it returns are the style layers it added (web/src/layers/, mapstyle.js).
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Catalog } from '../src/catalog.js';
import { layerDefs } from '../src/layers/index.js';
import { catalogDoc } from './fixture.js';

/// Just enough of the DOM for the legends: elements that keep their children and attributes.
function fakeElement(tag) {
  return {
    tag,
    children: [],
    attributes: {},
    dataset: {},
    style: {},
    append(...c) {
      this.children.push(...c);
    },
    replaceChildren(...c) {
      this.children = c;
    },
    setAttribute(k, v) {
      this.attributes[k] = v;
    },
    addEventListener() {},
  };
}

/// A MapLibre map that records its sources and style layers and checks each layer's source.
function fakeMap() {
  const sources = new Map();
  const layers = new Map();
  return {
    sources,
    layers,
    getSource: (id) => sources.get(id),
    addSource(id, spec) {
      assert.ok(!sources.has(id), `source ${id} added twice`);
      sources.set(id, spec);
    },
    getLayer: (id) => layers.get(id),
    addLayer(layer) {
      assert.ok(!layers.has(layer.id), `style layer ${layer.id} added twice`);
      assert.ok(sources.has(layer.source), `style layer ${layer.id} draws ${layer.source} before it was added`);
      if (sources.get(layer.source).type === 'vector') assert.equal(layer['source-layer'], layer.source, layer.id);
      else assert.equal(layer['source-layer'], undefined, layer.id);
      layers.set(layer.id, layer);
    },
    removeLayer: (id) => layers.delete(id),
    setPaintProperty() {},
    setLayoutProperty() {},
    setFilter() {},
  };
}

describe('layer definitions', () => {
  before(() => {
    globalThis.document = { createElement: fakeElement, createElementNS: (_, tag) => fakeElement(tag) };
    // Legends the service would describe: never answered here (the layers do not wait for them).
    globalThis.fetch = () => new Promise(() => {});
  });

  it('add the style layers they return, over sources from the catalog', () => {
    const cat = new Catalog(catalogDoc());
    const defs = layerDefs(cat);
    assert.ok(defs.length > 10);
    for (const d of defs) {
      const map = fakeMap();
      const built = d.build(map);
      assert.ok(built.layers.length, d.id);
      // The UAV layer adds its raster once the flights are read from the service.
      if (d.id === 'uav') continue;
      for (const id of built.layers) assert.ok(map.layers.has(id), `${d.id}: ${id} returned but not added`);
      for (const src of d.sources()) assert.ok(map.sources.has(src), `${d.id}: source ${src} not added`);
    }
  });

  it('draw the hamlets of the coverage view sized by population, growing with zoom', () => {
    const cat = new Catalog(catalogDoc());
    const map = fakeMap();
    layerDefs(cat).find((d) => d.id === 'hamlet_coverage').build(map);
    const paint = map.layers.get('hamlet-coverage').paint;
    assert.deepEqual(paint['circle-stroke-width'], ['interpolate', ['linear'], ['zoom'], 7, 0.4, 12, 1.2]);
    assert.equal(paint['circle-opacity'], 0.85);
    assert.equal(paint['circle-radius'][0], 'interpolate');
  });
});
