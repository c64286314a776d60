import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // The batch page and its browser tests use the DOM: they belong to examples/web/tsconfig.json,
    // which the project service does not find from examples/test/ on its own.
    files: ['examples/web/**/*.ts', 'examples/test/web.test.ts', 'examples/test/web-harness.ts'],
    languageOptions: {
      parserOptions: { projectService: false, project: ['./examples/web/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
);
