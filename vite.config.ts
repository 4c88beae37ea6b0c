// The renderer build: React + TypeScript from renderer/ into dist/renderer/, loaded by Electron
// from the app itself and served by the browser host. `npm run dev` serves it with live reload.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  base: './',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
  },
});
