// The map's thematic layers: importing a theme module registers it (layers/registry.js); the
// order of the panel's sections is each theme's `order`, not the order of these imports.
import './coverage.js';
import './quality.js';
import './accuracy.js';
import './fiber.js';
import './planning.js';
import './risk.js';
import './uav.js';

export { layerBounds, layerDefs, themeIds } from './registry.js';
