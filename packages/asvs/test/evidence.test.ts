// Status rules: only passed tests verify, any failure fails, skipped never counts, declarations need reasons.
import { describe, expect, it } from 'vitest';
import {
  buildEvidence,
  failures,
  idsFromMeta,
  idsFromTags,
  idsFromTitle,
  summaryLine,
  type TestRecord,
} from '../src/index.js';

const run = { time: '2026-12-01T00:00:00.000Z', node: 'v20.20.2', packages: { demo: '1.0.0' } };
const t = (title: string, result: TestRecord['result'], ids: string[]): TestRecord => ({
  file: 'test/a.test.ts',
  title,
  result,
  durationMs: 1,
  ids,
});
const status = (tests: TestRecord[], id: string, options = {}) =>
  buildEvidence(tests, options, run).requirements.find((r) => r.id === id)?.status;

describe('requirement status', () => {
  it('verified: at least one mapped test, all passed', () => {
    expect(status([t('a', 'passed', ['V9.1.2']), t('b', 'passed', ['V9.1.2'])], 'V9.1.2')).toBe('verified');
  });
  it('failed: one failing test makes it failed even when others pass', () => {
    expect(status([t('a', 'passed', ['V9.1.2']), t('b', 'failed', ['V9.1.2'])], 'V9.1.2')).toBe('failed');
  });
  it('not_covered: a requirement with only skipped or todo tests is never verified', () => {
    expect(status([t('a', 'skipped', ['V9.1.2']), t('b', 'todo', ['V9.1.2'])], 'V9.1.2')).toBe('not_covered');
  });
  it('not_applicable and manual need a reason; a test result still wins', () => {
    const options = {
      notApplicable: { 'V17.*': 'no WebRTC' },
      manual: { 'V15.1.1': 'docs/supply-chain.md#how-often' },
    };
    const evidence = buildEvidence([t('a', 'failed', ['V17.1.1'])], options, run);
    expect(evidence.requirements.find((r) => r.id === 'V17.1.2')).toMatchObject({
      status: 'not_applicable',
      note: 'no WebRTC',
    });
    expect(evidence.requirements.find((r) => r.id === 'V15.1.1')).toMatchObject({
      status: 'manual',
      note: 'docs/supply-chain.md#how-often',
    });
    expect(evidence.requirements.find((r) => r.id === 'V17.1.1')?.status).toBe('failed');
  });
  it.each([
    ['an unknown id', { notApplicable: { 'V99.1.1': 'x' } }, /not an ASVS 5\.0\.0 requirement id/],
    ['a pattern matching nothing', { manual: { 'V42.*': 'x' } }, /matches no ASVS 5\.0\.0 requirement/],
    ['an empty reason', { notApplicable: { 'V17.*': ' ' } }, /needs a reason/],
    ['a bad level', { level: 4 }, /"level" must be 1, 2 or 3/],
  ])('refuses %s when the configuration loads', (_name, options, message) => {
    expect(() => buildEvidence([], options as never, run)).toThrow(message);
  });
  it('reports tests tagged with unknown ids and fails on them', () => {
    const evidence = buildEvidence([t('a', 'passed', ['V99.9.9'])], {}, run);
    expect(evidence.unknownIds).toEqual([{ test: 0, id: 'V99.9.9' }]);
    expect(failures(evidence)).toEqual(['tests tagged with unknown ASVS ids: V99.9.9']);
  });
  it('--fail-on uncovered-l1 fails while any level 1 requirement is not covered', () => {
    const evidence = buildEvidence([t('a', 'passed', ['V9.1.2'])], { level: 1 }, run);
    expect(failures(evidence, 'failed')).toEqual([]);
    expect(failures(evidence, 'uncovered-l1')[0]).toMatch(/^level 1 requirements not covered: V1\.2\.1/);
    expect(evidence.requirements).toHaveLength(70);
  });
  it('summarises per level and per chapter', () => {
    const evidence = buildEvidence([t('a', 'passed', ['V9.1.2']), t('b', 'failed', ['V8.4.1'])], {}, run);
    expect(evidence.summary.byLevel.L1.verified).toBe(1);
    expect(evidence.summary.byLevel.L2.failed).toBe(1);
    expect(evidence.summary.byChapter['V9']?.verified).toBe(1);
    expect(summaryLine(evidence)).toMatch(/^ASVS 5\.0\.0: L1 1 verified, 0 failed, 69 not covered/);
  });
});

describe('reading ids', () => {
  it('from a title suffix, tags and meta', () => {
    expect(idsFromTitle('rejects alg none [ASVS V9.1.2, V9.1.1]')).toEqual(['V9.1.2', 'V9.1.1']);
    expect(idsFromTitle('rejects alg none [ASVS V9.1.2] and more [ASVS V8.2.2]')).toEqual(['V9.1.2', 'V8.2.2']);
    expect(idsFromTitle('no ids here (ASVS V9.1.2)')).toEqual([]);
    expect(idsFromTags(['asvs:V9.1.2', 'slow'])).toEqual(['V9.1.2']);
    expect(idsFromMeta({ asvs: ['V9.1.2'] })).toEqual(['V9.1.2']);
    expect(idsFromMeta({ asvs: 'V9.1.3' })).toEqual(['V9.1.3']);
    expect(idsFromMeta(null)).toEqual([]);
  });
});
