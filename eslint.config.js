import { builtinModules } from 'node:module';
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const electronMessage =
  'Only the Electron shell (src/main/index.ts, src/main/transport/ipc.ts) and preload may import electron; services get what they need injected.';
const builtinMessage = 'src/shared and the renderer run in the browser too: no Node built-ins.';
// `electron` and its subpaths (`electron/main`, …); Node built-ins by bare name (`fs`, `fs/promises`) and as `node:*`.
const electronImports = {
  paths: [{ name: 'electron', message: electronMessage }],
  patterns: [{ group: ['electron/*'], message: electronMessage }],
};
const builtinImports = {
  paths: builtinModules.map((name) => ({ name, message: builtinMessage })),
  patterns: [{ group: ['node:*'], message: builtinMessage }],
};
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

/** One rule set for no-restricted-imports and no-restricted-syntax from `{ regex, message }` entries on top of `base`. */
function restrict(base, baseLoads, entries) {
  return {
    'no-restricted-imports': ['error', { paths: base.paths, patterns: [...base.patterns, ...entries] }],
    'no-restricted-syntax': ['error', ...baseLoads, ...entries.flatMap((e) => dynamicLoads(e.regex, e.message))],
  };
}
const noRules = { paths: [], patterns: [] };

// Test support is named *.fixture.ts; production code never loads it, so the bundle holds none.
const fixtures = {
  regex: '\\.fixture(\\.ts)?$',
  message: 'Test support (*.fixture.ts) is for tests, fixtures, e2e and bench only, never production code.',
};
const notProduction = ['**/*.test.ts', '**/*.fixture.ts'];

// One folder per service (or feature) under src/main; they share code only through lib/ (plumbing),
// transport/ and the root files (service.ts, config.ts, log.ts, …), never by importing each other.
// Tests may combine services (that is what an integration test is for); production code and fixtures may not.
const FEATURE_FOLDERS = ['pipe', 'wandb', 'discord', 'engine', 'slots', 'history', 'factorio', 'demo'];
const featureRules = FEATURE_FOLDERS.flatMap((folder) => {
  const others = FEATURE_FOLDERS.filter((f) => f !== folder).join('|');
  const apart = {
    regex: `^(\\.\\./)+(${others})(/|$)`,
    message: `src/main/${folder}/ must not import another service's folder; move shared code to src/main/lib/.`,
  };
  return [
    {
      files: [`src/main/${folder}/**/*.ts`],
      ignores: notProduction,
      rules: restrict(electronImports, electronLoads, [apart, fixtures]),
    },
    { files: [`src/main/${folder}/**/*.fixture.ts`], rules: restrict(electronImports, electronLoads, [apart]) },
  ];
});

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
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts', 'src/main/transport/ipc.ts', ...notProduction],
    rules: restrict(electronImports, electronLoads, [fixtures]),
  },
  { files: ['src/main/index.ts', 'src/main/transport/ipc.ts'], rules: restrict(noRules, [], [fixtures]) },
  ...featureRules,
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', merged(electronImports, builtinImports)],
      'no-restricted-syntax': ['error', ...electronLoads, ...builtinLoads],
    },
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
