/**
 * The Content-Security-Policy Coax ships, one definition for dist/_headers (public/_headers, checked against this
 * by test/unit/csp.test.ts) and the dev and preview servers. Measured in Chromium: the page, its worker and
 * ONNX Runtime's WASM need exactly this. 'wasm-unsafe-eval' compiles WebAssembly; blob: in script-src and
 * worker-src is where ONNX Runtime starts its threads (without it a model load stops at 100 % with no error).
 * connect-src names the Hugging Face hub and its file hosts, used only once a person switches hub downloads on.
 */
export const HUB_HOSTS = ['https://huggingface.co', 'https://*.huggingface.co', 'https://*.hf.co'];

export function contentSecurityPolicy(extraConnect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' blob:",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...HUB_HOSTS, ...extraConnect].join(' ')}`,
    "object-src 'none'",
    "base-uri 'self'",
  ].join('; ');
}

/**
 * The dev and preview servers also let the page reach loopback servers on any port: the tests' hub stand-in
 * (tools/hub-standin.ts) runs on one.
 */
export const LOCAL_CSP = contentSecurityPolicy(['http://127.0.0.1:*', 'http://localhost:*']);
export const SHIPPED_CSP = contentSecurityPolicy();
