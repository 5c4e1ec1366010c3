import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

/** `npm run dev` serves the page from Vite, whose hot reload needs inline scripts and a socket. */
const devCsp: Plugin = {
  name: 'control-room-dev-csp',
  apply: 'serve',
  transformIndexHtml: (html: string) => html.replace(/<meta\s+http-equiv="Content-Security-Policy"[\s\S]*?\/>/, ''),
};

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          headless: resolve('src/main/headless.ts'),
          feed: resolve('src/main/demo/feed.ts'),
          'wandb-sync': resolve('src/main/wandb/sync-cli.ts'),
          engine: resolve('src/main/engine/cli.ts'),
          'engine-worker': resolve('src/main/engine/worker.ts'),
          slots: resolve('src/main/slots/cli.ts'),
          'history-worker': resolve('src/main/history/worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // Sandboxed preloads cannot load modules: bundle everything into one CommonJS file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve('src/renderer'),
    build: { rollupOptions: { input: { index: resolve('src/renderer/index.html') } } },
    plugins: [react(), devCsp],
  },
});
