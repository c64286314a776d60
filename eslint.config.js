import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const core = './packages/core/src';
/** Folders of core in the order of the data flow; none may import one that comes after it. */
const stages = ['intake', 'lists', 'transcripts', 'summarizers', 'storage', 'export', 'processor'];
/**
 * What a folder of core may not import, because the data flows the other way: the shared records
 * (records.ts), errors and links are at the top of src/, so no stage needs the processor, and only
 * the processor puts the stages together. internal/ is below everything; testing/ is for tests.
 */
const forbidden = {
  intake: ['transcripts', 'summarizers', 'storage', 'export', 'processor', 'testing'],
  lists: ['summarizers', 'storage', 'export', 'processor', 'testing'],
  transcripts: ['intake', 'lists', 'summarizers', 'storage', 'export', 'processor', 'testing'],
  summarizers: ['intake', 'lists', 'storage', 'export', 'processor', 'testing'],
  storage: ['intake', 'lists', 'transcripts', 'summarizers', 'export', 'processor', 'testing'],
  export: ['processor', 'testing'],
  internal: [...stages, 'testing'],
  testing: ['processor', 'export'],
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'bench-results.json', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules: a promise nobody awaits or handles loses its rejection (an unhandled
    // rejection ends the process), a promise where a boolean or a void callback is expected is a
    // bug, and a switch over a union must handle every member. Where a promise is deliberately
    // left running, `void` says so next to a comment saying where its failure goes.
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // The packages' tsup.config.ts files are in no tsconfig; they get the default project.
        projectService: { allowDefaultProject: ['packages/*/tsup.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    // Imports follow the data flow. import-x/no-cycle catches cycles of runtime imports anywhere
    // (it skips `import type`, so scripts/check-import-cycles.ts, run by `pnpm lint`, catches
    // type-only cycles between files); no-restricted-paths keeps core's folders in the order of
    // the data flow, type imports included (see `forbidden` above).
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Which files import-x parses to follow imports (its TypeScript preset's list) and how it resolves them.
      'import-x/extensions': importX.flatConfigs.typescript.settings['import-x/extensions'],
      'import-x/parsers': importX.flatConfigs.typescript.settings['import-x/parsers'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'examples/web/tsconfig.json'], noWarnOnMultipleProjects: true })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            ...Object.entries(forbidden).map(([folder, from]) => ({
              target: `${core}/${folder}`,
              from: from.map((other) => `${core}/${other}`),
              message: `core/src/${folder}/ comes before these folders in the data flow (see eslint.config.js).`,
            })),
            {
              target: `${core}/summarizers/language-model`,
              from: `${core}/summarizers/extractive`,
              message: 'The two kinds of summarizer share only what is at the top of summarizers/.',
            },
            {
              target: `${core}/summarizers/extractive`,
              from: `${core}/summarizers/language-model`,
              message: 'The two kinds of summarizer share only what is at the top of summarizers/.',
            },
          ],
        },
      ],
    },
  },
  {
    // core's src never imports its own package by name (that would load the built dist/, or loop).
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^@tubesum/core(/|$)', message: 'Import the module by its relative path.' }] }],
    },
  },
  {
    // The bot and the CLI use core through its published entries only: never another package's
    // src/ (by name or by a relative path), never core's internal/.
    files: ['packages/bot/**/*.ts', 'packages/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@tubesum/[^/]+/src(/|$)', message: "Import the package's public entry (@tubesum/core, @tubesum/core/testing)." },
            { regex: '^(\\.\\./)+(packages/)?(core|bot|cli)/src/', message: "Import the package's public entry, not another package's src/." },
            { regex: '(^|/)internal(/|$)', message: "core's internal/ is private to core's src/." },
          ],
        },
      ],
    },
  },
  {
    // Examples, benchmarks and scripts may read core's sources (the browser page bundles parseUrlList),
    // but never its internal/, which has no stable shape. core's own tests are exempt: a unit test of
    // an internal module imports it.
    files: ['examples/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)internal(/|$)', message: "core's internal/ is private to core's src/." }] }],
    },
  },
  {
    // The batch page and its browser tests use the DOM: they belong to examples/web/tsconfig.json,
    // which the project service does not find from examples/test/ on its own.
    files: ['examples/web/**/*.ts', 'examples/test/web.test.ts', 'examples/test/web-harness.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: ['./examples/web/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
);
