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

// One folder per service (or feature) under src/main; they share code only through lib/ (plumbing),
// transport/ and the root files (service.ts, config.ts, log.ts, …), never by importing each other.
// Tests may combine services (that is what an integration test is for); production code and fixtures may not.
const FEATURE_FOLDERS = ['pipe', 'wandb', 'discord', 'engine', 'slots', 'history', 'factorio', 'demo'];
const featureRules = FEATURE_FOLDERS.map((folder) => {
  const others = FEATURE_FOLDERS.filter((f) => f !== folder).join('|');
  const message = `src/main/${folder}/ must not import another service's folder; move shared code to src/main/lib/.`;
  const regex = `^(\\.\\./)+(${others})(/|$)`;
  return {
    files: [`src/main/${folder}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: electronImports.paths, patterns: [...electronImports.patterns, { regex, message }] }],
      'no-restricted-syntax': ['error', ...electronLoads, ...dynamicLoads(regex, message)],
    },
  };
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
  ...featureRules,
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
);
