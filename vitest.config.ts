import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'main/**/*.test.ts',
      'registry/**/*.test.ts',
      'preload/**/*.test.ts',
      'renderer/**/*.test.{ts,tsx}',
      'bench/**/*.test.ts',
      'scripts/**/*.test.mjs',
    ],
    // Playwright specs live in e2e/ and run with Playwright, never with vitest.
    exclude: ['e2e/**', 'node_modules/**', 'out/**', 'dist/**', 'release/**'],
    environment: 'node',
    // Child processes (socat, virtual gateways) and native modules are safer in forks than in threads.
    pool: 'forks',
    // CI machines have two cores; the tests spend much of their time waiting on ptys and sockets.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
