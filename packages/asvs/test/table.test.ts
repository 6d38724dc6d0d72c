// The requirement table matches OWASP's ASVS 5.0.0 ids and levels exactly, in our own words.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ASVS_CHAPTERS, ASVS_REQUIREMENTS, asvsRequirement, asvsTags } from '../src/index.js';

const reference = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../shared/reference/asvs-5.0/asvs-5.0.0.flat.json'), 'utf8'),
) as {
  requirements: { req_id: string; L: string; chapter_id: string; section_id: string; req_description: string }[];
};

describe('the ASVS 5.0.0 table', () => {
  it('has exactly the reference ids, in order, with their levels and sections (345; L1 70, L2 183, L3 92)', () => {
    expect(ASVS_REQUIREMENTS.map((r) => [r.id, r.level, r.chapter, r.section])).toEqual(
      reference.requirements.map((r) => [r.req_id, Number(r.L), r.chapter_id, r.section_id]),
    );
    expect(ASVS_REQUIREMENTS).toHaveLength(345);
    expect(ASVS_REQUIREMENTS.filter((r) => r.level === 1)).toHaveLength(70);
    expect(ASVS_REQUIREMENTS.filter((r) => r.level === 2)).toHaveLength(183);
    expect(ASVS_REQUIREMENTS.filter((r) => r.level === 3)).toHaveLength(92);
    expect(Object.keys(ASVS_CHAPTERS)).toEqual([...new Set(reference.requirements.map((r) => r.chapter_id))]);
  });

  it('titles are short paraphrases, never the official text (CC BY-SA is not copied)', () => {
    for (const r of ASVS_REQUIREMENTS) {
      const official = reference.requirements.find((x) => x.req_id === r.id)?.req_description ?? '';
      expect(r.title.length, r.id).toBeLessThanOrEqual(80);
      expect(official.toLowerCase().includes(r.title.toLowerCase()), r.id).toBe(false);
    }
  });

  it('never reads the reference file at run time', () => {
    const src = join(import.meta.dirname, '../src');
    for (const file of readdirSync(src)) {
      expect(readFileSync(join(src, file), 'utf8'), file).not.toMatch(/flat\.json|shared\/reference/);
    }
  });

  it('looks requirements up by id, with or without the "v5.0.0-" prefix', () => {
    expect(asvsRequirement('V9.1.2')?.level).toBe(1);
    expect(asvsRequirement('v5.0.0-V9.1.2')?.id).toBe('V9.1.2');
    expect(asvsRequirement('V99.1.1')).toBeUndefined();
  });

  it('declares one vitest tag per requirement', () => {
    const tags = asvsTags();
    expect(tags).toHaveLength(345);
    expect(tags[0]).toEqual({ name: 'asvs:V1.1.1', description: expect.stringContaining('V1.1.1 (L2)') as string });
  });
});
