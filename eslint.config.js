import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronMessage = 'Only the Electron shell (src/main/index.ts, src/main/transport/ipc.ts) and preload may import electron; services get what they need injected.';
const builtinMessage = 'src/shared and the renderer run in the browser too: no Node built-ins.';
// `electron` and its subpaths (`electron/main`, …); Node built-ins by bare name (`fs`, `fs/promises`) and as `node:*`.
const electronImports = { paths: [{ name: 'electron', message: electronMessage }], patterns: [{ group: ['electron/*'], message: electronMessage }] };
const builtinImports = { paths: builtinModules.map((name) => ({ name, message: builtinMessage })), patterns: [{ group: ['node:*'], message: builtinMessage }] };
const merged = (...rules) => ({ paths: rules.flatMap((r) => r.paths), patterns: rules.flatMap((r) => r.patterns) });

/** no-restricted-imports sees only import/export declarations (and `import x = require()`): these catch `require()` and `import()`. */
function dynamicLoads(moduleRegex, message) {
  // esquery regexes cannot hold a literal slash.
  const re = `/${moduleRegex.replaceAll('/', '\\x2F')}/`;
  return [
    { selector: `CallExpression[callee.name='require'][arguments.0.value=${re}]`, message },
    { selector: `ImportExpression[source.value=${re}]`, message },
  ];
}
const electronLoads = dynamicLoads('^electron(/.*)?$', electronMessage);
const builtinLoads = dynamicLoads(`^(node:.*|${builtinModules.join('|')})$`, builtinMessage);

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'src/main/engine/gen/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/transport/ipc.ts'],
    rules: { 'no-restricted-imports': ['error', electronImports], 'no-restricted-syntax': ['error', ...electronLoads] },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', merged(electronImports, builtinImports)], 'no-restricted-syntax': ['error', ...electronLoads, ...builtinLoads] },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': ['error', merged(electronImports, builtinImports)],
      'no-restricted-syntax': ['error', ...electronLoads, ...builtinLoads],
    },
  },
  {
    // Renderer tests run only under vitest in Node, never in a page or the bundle: they may read
    // files (e.g. styles.css, which vitest's ?raw import leaves empty) with Node's fs.
    files: ['src/renderer/**/*.test.{ts,tsx}'],
    rules: { 'no-restricted-imports': ['error', electronImports], 'no-restricted-syntax': ['error', ...electronLoads] },
  },
);
