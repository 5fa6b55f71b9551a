import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HUB_HOSTS, LOCAL_CSP, SHIPPED_CSP } from '../../tools/vite/csp.ts';

describe('the Content-Security-Policy', () => {
  it('dist/_headers (public/_headers) ships the policy tools/vite/csp.ts defines', () => {
    const headers = readFileSync('public/_headers', 'utf8');
    expect(headers).toContain(`  Content-Security-Policy: ${SHIPPED_CSP}\n`);
  });

  it('allows WASM compilation and blob: workers, scripts only from the origin, and the hub for connections', () => {
    const directives = Object.fromEntries(SHIPPED_CSP.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
    expect(directives['worker-src']).toEqual(["'self'", 'blob:']);
    expect(directives['connect-src']).toEqual(["'self'", ...HUB_HOSTS]);
    expect(SHIPPED_CSP).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    expect(LOCAL_CSP).toContain('http://127.0.0.1:*');
  });
});
