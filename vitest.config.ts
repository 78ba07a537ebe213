import { defineConfig } from 'vitest/config';

// Two projects: fast unit tests beside their code, and e2e tests that share one local control plane.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
          testTimeout: 30_000,
          // Hooks start real peers (PostgreSQL, moto, Prometheus); on a loaded 2-core machine
          // that can take far longer than vitest's 10 s default.
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/setup/cluster.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
