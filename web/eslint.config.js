// ESLint (flat config), run by scripts/web-test.sh and `npm run lint`: the recommended rules for
// the browser sources, Node globals for the build script and the tests.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/', 'node_modules/', 'test-results/'] },
  js.configs.recommended,
  {
    // 2025: import attributes (i18n.js imports its text from i18n.json).
    files: ['src/**/*.js'],
    languageOptions: { ecmaVersion: 2025, sourceType: 'module', globals: { ...globals.browser, __WORKER_FILE__: 'readonly' } },
  },
  {
    files: ['*.js', '*.mjs', 'test/**/*.js', 'tests/**/*.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    // Page functions the browser tests hand to page.evaluate run in the page.
    files: ['tests/**/*.mjs'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    rules: {
      'no-unused-vars': ['error', { args: 'after-used', argsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-var': 'error',
      'prefer-const': 'error',
    },
  },
];
