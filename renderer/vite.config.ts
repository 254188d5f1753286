// Builds the renderer into dist/renderer. base './' makes every asset URL relative, so the same build
// loads from file:// in Electron and from the web preview's loopback server.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * The dev server only (S3SYNC_RENDERER_URL): React's refresh preamble is an inline script and Vite
 * injects CSS as <style> elements, both of which the strict policy forbids (a blank page). Builds
 * keep the strict policy untouched; test/shell/renderer-csp.test.ts checks both.
 */
export function devServerCsp(): Plugin {
  return {
    name: 's3sync-dev-server-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html.replace(/(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]+)"/i, (_match, start, policy) => {
        const relaxed = String(policy)
          .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
          .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
        return `${start}${relaxed}"`;
      }),
  };
}

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react(), devServerCsp()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The polyfill would be the only script not in a file of its own; Electron's Chromium has modulepreload.
    modulePreload: { polyfill: false },
    target: 'chrome120',
  },
});
