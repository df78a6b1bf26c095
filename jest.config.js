// One jest run covers every package: tests import sibling packages through their
// `@drctl/source` export condition (src/index.ts), so no build is needed to test. The condition
// carries the project's own name so that no consumer's bundler or `node --conditions` ever picks
// it: the published tarballs hold dist/ only.
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/apps'],
  testMatch: ['**/test/**/*.test.ts', '**/src/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  // Our packages' src, and xstate's development build (catches persistence mistakes).
  testEnvironmentOptions: { customExportConditions: ['@drctl/source', 'development', 'node', 'node-addons'] },
  testTimeout: 60000,
  // One throwaway PostgreSQL per run for the tests that need a real one (scripts/test-postgres.mjs).
  globalSetup: '<rootDir>/scripts/jest/postgres-setup.mjs',
  globalTeardown: '<rootDir>/scripts/jest/postgres-teardown.mjs',
};
