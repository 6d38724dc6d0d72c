// Reading ASVS ids off a test: vitest tags "asvs:V9.1.2", meta { asvs: [...] }, or a "[ASVS V9.1.2]" title suffix.
import { ASVS_REQUIREMENTS, asvsRequirement } from './requirements.js';

/** The tag prefix: a test tagged `asvs:V9.1.2` verifies V9.1.2. */
export const TAG_PREFIX = 'asvs:';

const ID = /^V\d{1,2}\.\d{1,2}\.\d{1,2}$/;
// eslint-disable-next-line security/detect-unsafe-regex -- bounded digit runs, no nested quantifier over the same characters
const TITLE_SUFFIX = /\[ASVS (V\d{1,2}\.\d{1,2}\.\d{1,2}(?:, ?V\d{1,2}\.\d{1,2}\.\d{1,2})*)\]/g;

/** Ids found in a title ("… [ASVS V9.1.2, V9.1.3]"), in order. */
export function idsFromTitle(title: string): string[] {
  const out: string[] = [];
  for (const m of title.matchAll(TITLE_SUFFIX)) out.push(...(m[1] ?? '').split(/, ?/).filter((s) => s !== ''));
  return out;
}

/** Ids from vitest tags (`asvs:` prefix); other tags are ignored. */
export function idsFromTags(tags: readonly string[] | undefined): string[] {
  return (tags ?? []).filter((t) => t.startsWith(TAG_PREFIX)).map((t) => t.slice(TAG_PREFIX.length));
}

/** Ids from test meta `{ asvs: 'V1.2.3' | ['V1.2.3', …] }`. */
export function idsFromMeta(meta: unknown): string[] {
  if (typeof meta !== 'object' || meta === null) return [];
  const value = (meta as { asvs?: unknown }).asvs;
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** True for an id of ASVS 5.0.0. */
export function isAsvsId(id: string): boolean {
  return ID.test(id) && asvsRequirement(id) !== undefined;
}

/**
 * The vitest tag declarations for every ASVS 5.0.0 requirement, for `test.tags` with strict tags:
 * `defineConfig({ test: { tags: asvsTags(), strictTags: true } })`. A test tagged with an id that
 * is not in ASVS 5.0.0 then fails to load.
 */
export function asvsTags(): { name: string; description: string }[] {
  return ASVS_REQUIREMENTS.map((r) => ({
    name: `${TAG_PREFIX}${r.id}`,
    description: `ASVS 5.0.0 ${r.id} (L${r.level}): ${r.title}`,
  }));
}

/**
 * Expands a pattern of the reporter's `notApplicable` / `manual` options ("V17.*", "V6.3.*",
 * "V6.3.2") to requirement ids. An unknown id or a pattern that matches nothing is an error.
 */
export function expandPattern(pattern: string): string[] {
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1);
    const hits = ASVS_REQUIREMENTS.filter((r) => r.id.startsWith(prefix)).map((r) => r.id);
    if (hits.length === 0) {
      throw new TypeError(`@portcullis/asvs: "${pattern.slice(0, 24)}" matches no ASVS 5.0.0 requirement`);
    }
    return hits;
  }
  if (!isAsvsId(pattern)) {
    throw new TypeError(
      `@portcullis/asvs: "${pattern.slice(0, 24)}" is not an ASVS 5.0.0 requirement id (e.g. "V9.1.2" or "V17.*")`,
    );
  }
  return [pattern];
}
