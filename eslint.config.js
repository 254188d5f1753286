// ESLint: type-aware rules that catch real bugs, and the direction of imports between folders
// (docs/architecture.md). Formatting is Prettier's job; only comment length is checked here.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The stages of a sync, in the one order imports may follow: each may import those before it.
const CORE_STAGES = [['s3', 'csv', 'config'], ['mapping'], ['db'], ['sync'], ['worker'], ['service']];
const stagesBefore = (index) => CORE_STAGES.slice(0, index).flat();

const elements = [
  { type: 'shared', pattern: 'electron/shared', partialMatch: false },
  ...CORE_STAGES.flat().map((stage) => ({ type: stage, pattern: `electron/core/${stage}`, partialMatch: false })),
  ...['cli', 'web', 'main', 'preload'].map((type) => ({ type, pattern: `electron/${type}`, partialMatch: false })),
  { type: 'renderer', pattern: 'renderer/src', partialMatch: false },
];

const allow = (from, to) => ({
  from: { element: { types: from } },
  allow: { to: { element: { types: { anyOf: to } } } },
});

const importPolicies = [
  allow('shared', ['shared']),
  ...CORE_STAGES.flatMap((group, index) =>
    group.map((stage) => allow(stage, ['shared', ...stagesBefore(index), stage])),
  ),
  allow({ anyOf: ['cli', 'web', 'main'] }, ['shared', ...CORE_STAGES.flat()]),
  allow('cli', ['cli']),
  allow('web', ['web']),
  allow('main', ['main']),
  allow('preload', ['shared', 'preload']),
  allow('renderer', ['shared', 'renderer']),
];

const noElectron = {
  paths: [{ name: 'electron', message: 'Only electron/main and electron/preload may import Electron.' }],
};

// shared/ is what every side agrees on, the renderer included: besides its own files, only zod (the
// schemas) and re2js (the file-pattern engine, pure JS, so the Objects screen checks a pattern with the
// engine that matches it). Nothing that needs Node or a native build.
const sharedPackagesOnly = {
  ...noElectron,
  patterns: [
    {
      regex: '^(?!zod$|re2js$|\\./)',
      message: 'electron/shared imports only zod, re2js and its own files (docs/architecture.md).',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'bench-data/**', 'demo-data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
      // An async function without await is how an API method returns a promise: not a bug.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Prettier wraps code at 120 but leaves comments and strings alone: comments are held to it here.
      'max-len': ['error', { code: 1000, comments: 120, ignoreUrls: true }],
    },
  },
  {
    files: ['electron/**/*.ts', 'renderer/src/**/*.{ts,tsx}'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      'import/resolver': { typescript: { alwaysTryTypes: true } },
    },
    rules: {
      'boundaries/dependencies': ['error', { default: 'disallow', policies: importPolicies }],
    },
  },
  {
    files: ['electron/core/**', 'electron/cli/**', 'electron/web/**', 'renderer/**'],
    rules: { 'no-restricted-imports': ['error', noElectron] },
  },
  {
    files: ['electron/shared/**'],
    rules: { 'no-restricted-imports': ['error', sharedPackagesOnly] },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Tests and scripts read JSON from child processes and files: checking each field's type there
    // would restate the assertions that follow.
    files: ['test/**', 'renderer/test/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.{js,cjs,mjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
