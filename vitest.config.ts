import { defineConfig } from 'vitest/config';

// Two projects so a developer can run the fast suites alone (`npm run test:fast`).
// Slow suites: end-to-end CLI runs, browser tests, the Snowflake emulator, big generated samples.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: { name: 'fast', include: ['tests/unit/**/*.test.ts', 'tests/functional/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'slow',
          include: ['tests/e2e/**/*.test.ts', 'tests/browser/**/*.test.ts', 'tests/snowflake/**/*.test.ts', 'tests/ingest/**/*.test.ts', 'tests/oracles/**/*.test.ts', 'tests/faults/**/*.test.ts', 'tests/pipeline/**/*.test.ts', 'tests/dbt-lang/**/*.test.ts', 'tests/dbt-compat/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 600_000,
        },
      },
    ],
  },
});
