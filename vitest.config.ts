import { defineConfig } from 'vitest/config';

/** Beside the code and `*.unit.test.ts`: pure tests, no services. `test/` otherwise: real services. */
const unit = [
  'contract/**/*.test.ts',
  'platform/**/*.test.ts',
  'functions/**/*.test.ts',
  'edge-relay/**/*.test.ts',
  'local/**/*.test.ts',
  'console/**/*.test.ts',
  'cli/**/*.test.ts',
  'test/**/*.unit.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: unit } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts'],
          // One DynamoDB Local and one redis-server for the whole run.
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
