// A login flood against the hasher: at most maxConcurrency computations at once, the rest queued or 503, memory bounded.
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, HasherBusyError } from '../src/index.js';

describe('concurrency gate [ASVS V15.2.2]', () => {
  it('200 concurrent verifies with maxConcurrency 2 and maxQueue 64: 2 run, 64 wait, 134 get 503 + Retry-After', async () => {
    const hasher = createPasswordHasher({ maxConcurrency: 2, maxQueue: 64, queueTimeoutMs: 60_000 });
    const stored = await hasher.hash('flood password');
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 5);
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) => hasher.verify(stored, i % 2 === 0 ? 'flood password' : 'wrong')),
    );
    clearInterval(sampler);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(fulfilled).toHaveLength(66);
    expect(rejected).toHaveLength(134);
    for (const error of rejected) {
      expect(error).toBeInstanceOf(HasherBusyError);
      expect(error).toMatchObject({ status: 503, code: 'hasher_busy', headers: { 'Retry-After': '60' } });
    }
    const stats = hasher.stats();
    expect(stats.peakRunning).toBe(2);
    expect(stats).toMatchObject({ running: 0, queued: 0, rejected: 134, started: 67 });
    // Two 19 MiB computations at a time; far below what 200 at once (3.8 GiB) would need.
    expect(peakRss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('a queued call that waits longer than queueTimeoutMs fails with 503', async () => {
    const hasher = createPasswordHasher({ maxConcurrency: 1, maxQueue: 10, queueTimeoutMs: 1 });
    const results = await Promise.allSettled([hasher.hash('one'), hasher.hash('two'), hasher.hash('three')]);
    expect(results[0]?.status).toBe('fulfilled');
    const late = results.slice(1).filter((r) => r.status === 'rejected');
    expect(late.length).toBeGreaterThan(0);
    for (const r of late) expect(r.reason).toMatchObject({ status: 503, code: 'hasher_busy' });
    expect(hasher.stats()).toMatchObject({ running: 0, queued: 0, peakRunning: 1 });
  });

  it('maxQueue 0 refuses everything beyond the running slots', async () => {
    const hasher = createPasswordHasher({ maxConcurrency: 1, maxQueue: 0 });
    const results = await Promise.allSettled([hasher.hash('a'), hasher.hash('b')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });

  it('a dummy verify takes a slot like a real one (unknown users are not a way around the gate)', async () => {
    const hasher = createPasswordHasher({ maxConcurrency: 1, maxQueue: 0 });
    const results = await Promise.allSettled([
      hasher.verifyOrDummy(undefined, 'x'),
      hasher.verifyOrDummy(undefined, 'y'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });
});
