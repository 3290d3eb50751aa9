import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

// No React plugin: esbuild compiles the JSX (automatic runtime); there is no fast refresh, and no
// extra dependency. The build lands in dist/dashboard, which the server serves at /dashboard/.
export default defineConfig({
  root: here,
  base: '/dashboard/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    // Vite would inline small assets as data: URLs; keep everything a file (the CSP allows data: for images only).
    assetsInlineLimit: 0,
    // The module-preload polyfill is an inline-free script, but no browser we support needs it.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    // CodeMirror (with the Liquid language, which brings HTML, CSS and JavaScript) is one chunk of about
    // 620 kB (215 kB gzip), fetched only by the pages with an editor: not worth Vite's 500 kB warning.
    chunkSizeWarningLimit: 700,
  },
});
