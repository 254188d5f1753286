// Builds the renderer into dist/renderer. base './' makes every asset URL relative, so the same build
// loads from file:// in Electron and from the web preview's loopback server.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const rendererRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: rendererRoot,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The polyfill would be the only script not in a file of its own; Electron's Chromium has modulepreload.
    modulePreload: { polyfill: false },
    target: 'chrome120',
  },
});
