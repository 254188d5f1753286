import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Integration tests start real servers and SQLite files; two cores, so keep parallelism modest.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    // The SDK warns that its 2027 releases need Node 22; irrelevant noise in test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    hookTimeout: 60_000,
    projects: [
      // The engine, CLI, web server and browser end-to-end tests: plain Node.
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], environment: 'node' } },
      // The renderer's screens with a fake API, in a simulated DOM.
      {
        extends: true,
        plugins: [react()],
        test: {
          name: 'renderer',
          include: ['renderer/test/**/*.test.tsx'],
          environment: 'happy-dom',
          setupFiles: ['renderer/test/setup.ts'],
        },
      },
    ],
  },
});
