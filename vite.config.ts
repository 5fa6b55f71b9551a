import { defineConfig, defaultClientConditions } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { ortAssets } from './tools/vite/ort-assets.ts';
import { modelManifest } from './tools/vite/model-manifest.ts';
import { cspHeaders } from './tools/vite/csp.ts';

// Cross-origin isolation makes SharedArrayBuffer, and so multithreaded WASM, available.
// The Content-Security-Policy differs by path (the hub worker's entry names the hub), so a middleware sets it
// (tools/vite/csp.ts), as dist/_headers does.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // Relative base: the built folder works from any static host and any sub-path.
  base: './',
  // 'mpa': no index.html fallback, so a missing model file is a 404 (transformers.js would cache HTML as JSON).
  appType: 'mpa',
  plugins: [svelte(), ortAssets(), modelManifest(), cspHeaders()],
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
