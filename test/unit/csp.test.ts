/**
 * The Content-Security-Policy per path (#12): the page and the offline inference worker get connect-src 'self'; only
 * the worker's hub entry names the Hugging Face hosts. Checked here on dist/_headers (public/_headers) read as a
 * static host reads it, and on the policy the dev and preview servers send (test/integration/csp-servers.test.ts
 * asks the real servers).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HUB_CSP,
  HUB_HOSTS,
  LOCAL_HUB_CSP,
  LOOPBACK,
  PAGE_CSP,
  hubEntrySource,
  isHubEntry,
  localPolicy,
} from '../../tools/vite/csp.ts';
import { HUB_WORKER_ENTRY } from '../../src/worker/entries.ts';

type Rule = { pattern: string; headers: [string, string][] };

/** The rules of a _headers file: a path pattern line, then indented `Name: value` lines; # starts a comment. */
function parseHeaders(text: string): Rule[] {
  const rules: Rule[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      rules.push({ pattern: line.trim(), headers: [] });
      continue;
    }
    const colon = line.indexOf(':');
    const rule = rules.at(-1);
    if (!rule || colon < 0) throw new Error(`a header line outside a rule, or without a colon: ${line}`);
    rule.headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return rules;
}

/** A path pattern as Netlify and Cloudflare Pages match it: `*` stands for any characters, the rest is literal. */
const matches = (pattern: string, path: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(path);

/** Every value each header gets on a path: every matching rule applies (Cloudflare joins repeats with a comma). */
function headersAt(rules: Rule[], path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rules.filter((r) => matches(r.pattern, path)))
    for (const [name, value] of r.headers) out.set(name, [...(out.get(name) ?? []), value]);
  return out;
}

const connectSrc = (policy: string) =>
  policy
    .split('; ')
    .find((d) => d.startsWith('connect-src '))
    ?.split(' ')
    .slice(1);

const rules = parseHeaders(readFileSync('public/_headers', 'utf8'));

/** Paths of the built site, as `npm run build` names them. */
const PAGE_PATHS = ['/', '/index.html', '/assets/index-DamFTzQi.js', '/assets/inference.worker-BmCaBk7Y.js'];
const HUB_PATH = `/${HUB_WORKER_ENTRY}`;

describe('dist/_headers', () => {
  it("gives the page and the offline worker exactly one policy, with connect-src 'self'", () => {
    for (const path of PAGE_PATHS) {
      expect(headersAt(rules, path).get('content-security-policy'), path).toEqual([PAGE_CSP]);
      expect(connectSrc(PAGE_CSP)).toEqual(["'self'"]);
    }
  });

  it("gives the worker's hub entry exactly one policy, naming the hub hosts, and no caching", () => {
    const h = headersAt(rules, HUB_PATH);
    expect(h.get('content-security-policy')).toEqual([HUB_CSP]);
    expect(connectSrc(HUB_CSP)).toEqual(["'self'", ...HUB_HOSTS]);
    expect(h.get('cache-control')).toEqual(['no-cache']);
  });

  it('keeps cross-origin isolation on every path, the hub entry and the model files included', () => {
    for (const path of [...PAGE_PATHS, HUB_PATH, '/models/coax/organism-v1/onnx/model.onnx', '/ort/x.wasm']) {
      const h = headersAt(rules, path);
      expect(h.get('cross-origin-opener-policy'), path).toEqual(['same-origin']);
      expect(h.get('cross-origin-embedder-policy'), path).toEqual(['require-corp']);
    }
  });

  it('has no rule whose policy another rule would add to on some path (policies would intersect)', () => {
    const csp = rules.filter((r) => r.headers.some(([n]) => n === 'content-security-policy'));
    for (const a of csp)
      for (const b of csp)
        if (a !== b)
          expect(matches(a.pattern, b.pattern) || matches(b.pattern, a.pattern), `${a.pattern} ${b.pattern}`).toBe(
            false,
          );
  });
});

describe('the policy itself', () => {
  it('allows WASM compilation and blob: workers and scripts only from the origin', () => {
    for (const policy of [PAGE_CSP, HUB_CSP, LOCAL_HUB_CSP]) {
      const directives = Object.fromEntries(policy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
      expect(directives['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'", 'blob:']);
      expect(directives['worker-src']).toEqual(["'self'", 'blob:']);
      expect(policy).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    }
  });
});

describe('the dev and preview servers (localPolicy)', () => {
  it("send connect-src 'self' on the page, the offline worker in dev and built, and every other path", () => {
    for (const path of [
      ...PAGE_PATHS,
      '/src/worker/inference.worker.ts',
      '/hub/other.js',
      '/x/hub/inference.worker.js',
    ])
      expect(localPolicy(path), path).toBe(PAGE_CSP);
  });

  it('send the hub hosts and loopback (the tests stand-in hub) only on the hub entry, under any base', () => {
    expect(localPolicy(HUB_PATH)).toBe(LOCAL_HUB_CSP);
    expect(connectSrc(LOCAL_HUB_CSP)).toEqual(["'self'", ...HUB_HOSTS, ...LOOPBACK]);
    expect(isHubEntry(`/coax/${HUB_WORKER_ENTRY}`, '/coax/')).toBe(true);
    expect(isHubEntry(`/coax/${HUB_WORKER_ENTRY}`, '/coax')).toBe(true);
    expect(isHubEntry(HUB_PATH, '/coax/')).toBe(false);
  });

  it('the hub entry is one import of the worker bundle', () => {
    expect(hubEntrySource('../assets/inference.worker-X.js')).toMatch(
      /^import "\.\.\/assets\/inference\.worker-X\.js";$/m,
    );
  });
});
