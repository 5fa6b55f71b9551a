import { defineConfig, defaultClientConditions } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { ortAssets } from './tools/vite/ort-assets.ts';
import { modelManifest } from './tools/vite/model-manifest.ts';
import { LOCAL_CSP } from './tools/vite/csp.ts';

// Cross-origin isolation makes SharedArrayBuffer, and so multithreaded WASM, available.
// The Content-Security-Policy is the one dist/_headers ships (tools/vite/csp.ts), plus loopback for test servers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Content-Security-Policy': LOCAL_CSP,
};

export default defineConfig({
  // Relative base: the built folder works from any static host and any sub-path.
  base: './',
  // 'mpa': no index.html fallback, so a missing model file is a 404 (transformers.js would cache HTML as JSON).
  appType: 'mpa',
  plugins: [svelte(), ortAssets(), modelManifest()],
  resolve: {
    // Use onnxruntime-web's build that loads its wasm from wasmPaths (our origin) instead of bundling it.
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
  },
  worker: { format: 'es' },
  server: { headers: isolation, port: 5173 },
  preview: { headers: isolation, port: 4173 },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
  optimizeDeps: { exclude: ['@huggingface/transformers', 'onnxruntime-web'] },
});
