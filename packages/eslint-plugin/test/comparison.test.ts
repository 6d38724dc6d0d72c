// The README's comparison, measured: the miss list run through this plugin and eslint-plugin-security.
import { createRequire } from 'node:module';
import { Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { configs } from '../src/index.js';

/** [name, code, the @portcullis rule that must flag it]. */
const corpus: [string, string, string][] = [
  ['vm.runInNewContext', 'import vm from "node:vm"; vm.runInNewContext(src, {});', 'no-dynamic-code'],
  ['direct eval', 'eval(input);', 'no-dynamic-code'],
  [
    'spawn with shell: true',
    'import { spawn } from "node:child_process"; spawn(cmd, { shell: true });',
    'no-shell-exec',
  ],
  [
    'dynamic import("child_process")',
    'const cp = await import("child_process"); cp.exec(`ls ${dir}`);',
    'no-shell-exec',
  ],
  [
    'exec via promisify',
    'import { promisify } from "node:util"; import { exec } from "node:child_process"; await promisify(exec)(`x ${y}`);',
    'no-shell-exec',
  ],
  ['exec of a template (required)', 'const cp = require("child_process"); cp.exec(`ls ${dir}`);', 'no-shell-exec'],
  ['node-serialize', 'import s from "node-serialize"; s.unserialize(cookie);', 'no-unsafe-deserialize'],
  ['v8.deserialize', 'import v8 from "node:v8"; v8.deserialize(buf);', 'no-unsafe-deserialize'],
  ['assert for authorization', 'import assert from "node:assert"; assert(user.isAdmin);', 'no-assert-security'],
  ['SQL template', 'await db.query(`SELECT * FROM t WHERE id = ${id}`);', 'no-sql-string'],
  ['Prisma $queryRawUnsafe', 'await prisma.$queryRawUnsafe("SELECT * FROM t WHERE a = " + a);', 'no-sql-string'],
  [
    'md5 password',
    'import { createHash } from "node:crypto"; createHash("md5").update(password).digest("hex");',
    'no-fast-password-hash',
  ],
  ['NODE_TLS_REJECT_UNAUTHORIZED', 'process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";', 'no-tls-bypass'],
  ['rejectUnauthorized: false', 'new https.Agent({ rejectUnauthorized: false });', 'no-tls-bypass'],
  ['Math.random token', 'const token = Math.random().toString(36).slice(2);', 'no-insecure-random'],
  ['pseudoRandomBytes', 'import crypto from "node:crypto"; crypto.pseudoRandomBytes(16);', 'no-insecure-random'],
  [
    'decodeJwt deciding',
    'import { decodeJwt } from "jose"; if (decodeJwt(t).role === "admin") next();',
    'no-unverified-jwt',
  ],
  [
    'cors reflection',
    'import cors from "cors"; app.use(cors({ origin: true, credentials: true }));',
    'no-cors-reflection',
  ],
];

// eslint-plugin-security ships no types; only its recommended flat config is used.
const security = createRequire(import.meta.url)('eslint-plugin-security') as { configs: { recommended: object } };

const languageOptions = { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' } as const;
const ours = new Linter();
const theirs = new Linter();
const oursConfig = [{ files: ['**/*.ts'], languageOptions, ...configs.recommended }] as unknown as Linter.Config[];
const theirsConfig = [
  { files: ['**/*.ts'], languageOptions, ...security.configs.recommended },
] as unknown as Linter.Config[];

/** Which snippets eslint-plugin-security 4.1.0 reports at all (any of its rules). */
const SECURITY_CATCHES = ['direct eval', 'exec of a template (required)', 'pseudoRandomBytes'];

describe('the issue corpus: this plugin against eslint-plugin-security', () => {
  it.each(corpus)('@portcullis flags %s', (_name, code, rule) => {
    const ids = ours.verify(code, oursConfig, 'src/a.ts').map((m) => m.ruleId);
    expect(ids).toContain(`@portcullis/${rule}`);
  });

  it('eslint-plugin-security catches only the snippets the README says it does', () => {
    const caught = corpus
      .filter(([, code]) =>
        theirs.verify(code, theirsConfig, 'src/a.ts').some((m) => m.ruleId?.startsWith('security/') === true),
      )
      .map(([name]) => name);
    expect(caught).toEqual(SECURITY_CATCHES);
  });
});
