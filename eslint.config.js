// ESLint for the whole repository: typescript-eslint with type information where it finds real
// bugs (promises nobody awaits, conditions that are always true), Prettier for layout, and the
// package boundaries of docs/architecture.md as a rule that fails the test command.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { boundaries } from './scripts/eslint-boundaries.js';

export default tseslint.config(
  {
    ignores: ['**/node_modules/', '**/dist/', '.tools/', '.turbo/', 'coverage/', 'test-output/', '**/.drctl/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A value bound late on purpose (two objects that need each other) reads before its assignment.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // `_name` marks a value taken only to be dropped (destructuring, callback positions).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    // The workspace's own code; examples/embedding is type-checked against the packed packages by
    // the consumer test instead, as an embedder's project would be.
    files: ['packages/**/*.ts', 'apps/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // A forgotten await in a recovery engine is a step that finishes before its work does.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
  {
    files: ['apps/server/viewer/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  { plugins: { drctl: boundaries }, rules: { 'drctl/package-boundaries': 'error' } },
  prettier,
);
