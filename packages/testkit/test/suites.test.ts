// cors, traversal and leaks proven both ways: failures on their vulnerable twins, none on the reference case API.
import { mkdtemp, mkdir, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestIssuer, runAttacks, startTarget, type CaseResult, type TestIssuer } from '../src/index.js';
import { expressFlavours } from '../../../test-support/express.js';
import { pathJoinTwin, reflectingCorsTwin, stackTwin } from './fixtures/twins.js';
import { startReference, type Reference } from './fixtures/reference.js';

const failedIds = (results: readonly CaseResult[]): string[] => results.filter((r) => !r.passed).map((r) => r.id);
const failures = (results: readonly CaseResult[]): string[] =>
  results.filter((r) => !r.passed).map((r) => `${r.id}: ${r.reason}`);

describe.each(expressFlavours)('vulnerable twins ($name)', (flavour) => {
  it('cors: a reflecting setup fails the look-alike origins, the control passes', async () => {
    const target = await startTarget(reflectingCorsTwin(flavour));
    try {
      const [, report] = await runAttacks({
        cors: { target, path: '/data', allowedOrigins: ['https://app.example.com'] },
      });
      const results = report?.results ?? [];
      expect(results.length).toBeGreaterThanOrEqual(40);
      // The control holds (the allowed origin is echoed with Vary: Origin); every attack case fails.
      expect(results.filter((r) => r.passed).map((r) => r.id)).toEqual(['control-allowed']);
      expect(results.find((r) => r.id === 'allowlist-1-suffix')?.reason).toMatch(/granted Access-Control-Allow-Origin/);
      expect(results.find((r) => r.id === 'preflight-method-trace')?.reason).toMatch(/granted method TRACE/);
      expect(results.find((r) => r.id === 'preflight-header-x-testkit-evil')?.reason).toMatch(/granted header/);
    } finally {
      await target.close();
    }
  });

  it('traversal: path.join(root, name) serves the canary', async () => {
    const base = await mkdtemp(join(tmpdir(), 'testkit-trav-'));
    const root = join(base, 'served');
    await mkdir(root);
    const target = await startTarget(pathJoinTwin(flavour, root));
    try {
      const [, , report] = await runAttacks({ traversal: { target, prefix: '/files/', root } });
      const results = report?.results ?? [];
      const ids = failedIds(results);
      expect(ids.length).toBeGreaterThan(3);
      expect(results.find((r) => r.id === 'path-2')?.reason).toMatch(/canary's bytes were served/);
      // The symlink pointing out of the root is followed by the twin.
      expect(results.find((r) => r.title.includes('"{link}"'))?.passed).toBe(false);
      // The transcript masks the canary's bytes.
      expect(JSON.stringify(results)).not.toMatch(/testkit canary [0-9a-f]{32}/);
      // cleanup removed what the suite planted.
      expect(await readdir(base)).toEqual(['served']);
      expect(await readdir(root)).toEqual([]);
    } finally {
      await target.close();
      await rm(base, { recursive: true, force: true });
    }
  });

  it('leaks: an error handler sending err.stack fails, echoed canaries are caught', async () => {
    const target = await startTarget(stackTwin(flavour));
    try {
      const [, , , report] = await runAttacks({ leaks: { target, path: '/items' } });
      const results = report?.results ?? [];
      const ids = failedIds(results);
      expect(ids).toContain('json-malformed');
      expect(ids).toContain('canary-query-token');
      expect(ids).toContain('canary-authorization');
      expect(results.find((r) => r.id === 'json-malformed')?.reason).toMatch(/500|stack/);
    } finally {
      await target.close();
    }
  });
});

describe('the reference case API', () => {
  let issuer: TestIssuer;
  let reference: Reference;
  let token: string;
  beforeAll(async () => {
    issuer = await createTestIssuer({
      issuer: 'https://issuer.suites.example',
      audience: 'https://cases.suites.example',
    });
    reference = await startReference(issuer);
    token = await issuer.sign({
      sub: 'user-1',
      client_id: 'case-api-dev',
      tenant_id: 'tenant-a',
      roles: ['admin'],
      jti: 'suites-1',
    });
  });
  afterAll(async () => {
    await reference.close();
    await issuer.close();
  });

  it('cors: zero failures', async () => {
    const target = await startTarget(reference.app);
    try {
      const [, report] = await runAttacks({
        cors: { target, path: '/health', allowedOrigins: ['http://127.0.0.1:4000'] },
      });
      expect(report?.results.length).toBeGreaterThanOrEqual(40);
      expect(failures(report?.results ?? [])).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('traversal: zero failures on GET /exports/:name', async () => {
    const target = await startTarget(reference.app);
    try {
      const [, , report] = await runAttacks({
        traversal: {
          target,
          prefix: '/exports/',
          root: reference.exportsDir,
          headers: [['Authorization', `Bearer ${token}`]],
        },
      });
      expect(report?.results.length).toBeGreaterThanOrEqual(40);
      expect(failures(report?.results ?? [])).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('leaks: zero failures on POST/GET /cases', async () => {
    const target = await startTarget(reference.app);
    try {
      const [, , , report] = await runAttacks({
        leaks: { target, path: '/cases', headers: [['Authorization', `Bearer ${token}`]] },
      });
      expect(report?.results.length).toBeGreaterThanOrEqual(25);
      expect(failures(report?.results ?? [])).toEqual([]);
      expect(reference.logs()).not.toContain(token);
    } finally {
      await target.close();
    }
  });
});
