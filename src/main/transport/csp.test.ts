import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, cspFor } from './csp';

/** directive -> its sources */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...sources]) => [name, sources]),
  );
}

describe('cspFor', () => {
  it('gives the built page the strict policy: nothing inline, nothing from elsewhere', () => {
    expect(cspFor()).toBe(CONTENT_SECURITY_POLICY);
    expect(cspFor(undefined)).toBe(CONTENT_SECURITY_POLICY);
    expect(cspFor('')).toBe(CONTENT_SECURITY_POLICY);
    const d = directives(cspFor());
    for (const [name, sources] of d) {
      expect(sources, name).not.toContain("'unsafe-inline'");
      expect(sources, name).not.toContain("'unsafe-eval'");
      expect(
        sources.filter((s) => /^(https?|wss?):/.test(s)),
        name,
      ).toEqual([]);
    }
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
  });

  it("lets Vite's dev server page run React refresh's inline script, injected styles and the hot-reload socket", () => {
    const d = directives(cspFor('http://localhost:5173/'));
    expect(d.get('script-src')).toEqual(expect.arrayContaining(["'unsafe-inline'", 'http://localhost:5173']));
    expect(d.get('style-src')).toContain("'unsafe-inline'");
    expect(d.get('connect-src')).toEqual(expect.arrayContaining(['http://localhost:5173', 'ws://localhost:5173']));
    // Still no eval, plugins, base or form tricks, even in dev.
    expect(d.get('script-src')).not.toContain("'unsafe-eval'");
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
  });

  it('the built page carries the same strict policy in its meta tag', () => {
    const html = readFileSync(join(__dirname, '../../renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)![1];
    // frame-ancestors is ignored in a meta tag; everything else must match the header.
    const header = directives(CONTENT_SECURITY_POLICY);
    header.delete('frame-ancestors');
    expect(directives(meta)).toEqual(header);
  });
});
