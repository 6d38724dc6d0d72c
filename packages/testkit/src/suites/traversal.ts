// The traversal suite: raw paths aimed at a canary planted beside the served root (and a symlink inside it pointing out).
import { randomBytes } from 'node:crypto';
import { rm, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { PKG, checkOptions, optionError, type OptionKeys } from '../options.js';
import { brief, exchange, type CaseDef, type PreparedSuite } from '../suite.js';
import type { Target } from '../target.js';
import { findLeak } from './common.js';

/** Settings of the traversal suite. */
export interface TraversalSuiteSettings {
  readonly target: Target;
  /** The route prefix that serves files by name, e.g. `/files/` (the name is appended raw). */
  readonly prefix: string;
  /** The directory that route serves, on this machine: the canary goes beside it, a symlink inside it. */
  readonly root: string;
  /** Headers sent with every request (e.g. a valid Authorization). @default [] */
  readonly headers?: readonly (readonly [string, string])[] | undefined;
}

const KEYS: OptionKeys<TraversalSuiteSettings> = { target: true, prefix: true, root: true, headers: true };
const ASVS = ['V5.3.2'];
const REFUSED = [400, 403, 404];

interface TraversalContext {
  readonly settings: TraversalSuiteSettings;
  /** File name of the canary in dirname(root). */
  readonly name: string;
  /** Absolute path of the canary. */
  readonly file: string;
  /** Name of the symlink inside root that points at the canary. */
  readonly link: string;
  readonly bytes: string;
}

/** Raw name templates: `{c}` is the canary's file name, `{abs}` its absolute path, `{dir}` the root's directory name. */
export const TRAVERSAL_TEMPLATES: readonly string[] = [
  '../{c}',
  '..%2f{c}',
  '..%2F{c}',
  '%2e%2e/{c}',
  '%2e%2e%2f{c}',
  '%2E%2E%2F{c}',
  '.%2e/{c}',
  '%2e./{c}',
  '..%5c{c}',
  '..\\{c}',
  '%2e%2e%5c{c}',
  '..%255c{c}',
  '%252e%252e%252f{c}',
  '..%252f{c}',
  '....//{c}',
  '...//{c}',
  '..././{c}',
  '..;/{c}',
  '../{dir}/../{c}',
  './../{c}',
  'x/../../{c}',
  'x/..%2f..%2f{c}',
  '%c0%ae%c0%ae/{c}',
  '%c0%ae%c0%ae%c0%af{c}',
  '%e0%80%ae%e0%80%ae/{c}',
  '%uff0e%uff0e/{c}',
  '%ef%bc%8e%ef%bc%8e/{c}',
  '..%00/{c}',
  '../{c}%00.txt',
  '../{c}%00',
  '..%0d%0a/{c}',
  '../{c}%20',
  '../{c}.',
  '../{c}::$DATA',
  '%2f..%2f{c}',
  '/..%2f{c}',
  '{abs}',
  '%2f{absNoSlash}',
  '%2F{absNoSlash}',
  '//{absNoSlash}',
  'file:{abs}',
  '{link}',
  '{link}%00',
  './{link}',
  '%2e/{link}',
  '../../../../../../../../{absNoSlash}',
  '..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f{absNoSlashEnc}',
];

function fill(t: string, c: TraversalContext): string {
  const absNoSlash = c.file.replace(/^\/+/, '');
  return t
    .replaceAll('{absNoSlashEnc}', absNoSlash.replaceAll('/', '%2f'))
    .replaceAll('{absNoSlash}', absNoSlash)
    .replaceAll('{abs}', c.file)
    .replaceAll('{dir}', basename(c.settings.root))
    .replaceAll('{link}', c.link)
    .replaceAll('{c}', c.name);
}

function templateCase(t: string, i: number): CaseDef<TraversalContext> {
  return {
    id: `path-${i + 1}`,
    title: `refuses the raw name ${JSON.stringify(t)} (canary never served)`,
    asvs: ASVS,
    async run(c) {
      const ex = await exchange(c.settings.target, {
        method: 'GET',
        path: `${c.settings.prefix}${fill(t, c)}`,
        headers: [...(c.settings.headers ?? [])],
      });
      const base = { request: ex.request, response: ex.response };
      if (ex.response === undefined) return { ...base, passed: false, reason: brief(undefined, ex.error) };
      if (ex.response.text.includes(c.bytes))
        return { ...base, passed: false, reason: `the canary's bytes were served (${ex.response.status})` };
      const leak = findLeak(ex.response, []);
      if (leak !== undefined) return { ...base, passed: false, reason: leak };
      if (!REFUSED.includes(ex.response.status))
        return { ...base, passed: false, reason: `expected 400, 403 or 404, got ${brief(ex.response)}` };
      return { ...base, passed: true, reason: `refused with ${ex.response.status}` };
    },
  };
}

/** The traversal suite. Settings are checked here; prepare() plants the canary and the symlink, cleanup() removes them. */
export function traversalSuite(settings: TraversalSuiteSettings): PreparedSuite<TraversalContext> {
  const s = checkOptions<TraversalSuiteSettings>(PKG, settings, KEYS, 'traversal');
  if (typeof s.target !== 'object' || s.target === null)
    throw optionError(PKG, 'traversal.target', 'is required', 'pass await startTarget(app)', s.target);
  if (typeof s.prefix !== 'string' || !s.prefix.startsWith('/'))
    throw optionError(PKG, 'traversal.prefix', 'must be a path starting with "/"', 'e.g. "/files/"', s.prefix);
  if (typeof s.root !== 'string' || resolve(s.root) !== s.root)
    throw optionError(
      PKG,
      'traversal.root',
      'must be an absolute directory path',
      'e.g. join(tmpdir(), "served")',
      s.root,
    );
  return {
    suite: 'traversal',
    cases: TRAVERSAL_TEMPLATES.map(templateCase),
    async prepare() {
      const tag = randomBytes(8).toString('hex');
      const name = `testkit-canary-${tag}.txt`;
      const file = join(dirname(settings.root), name);
      const bytes = `testkit canary ${randomBytes(16).toString('hex')}`;
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the configured root and a kit-generated random name, never request input
      await writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
      const link = `testkit-link-${tag}.txt`;
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- the configured root and a kit-generated random name, never request input
      await symlink(file, join(settings.root, link));
      return { settings, name, file, link, bytes };
    },
    async cleanup(c) {
      await rm(join(c.settings.root, c.link), { force: true });
      await rm(c.file, { force: true });
    },
    secrets: (c) => (c === undefined ? [] : [c.bytes]),
  };
}
