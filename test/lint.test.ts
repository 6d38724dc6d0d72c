// Proves the lint gate is live: the security plugin and the no-any rule report in shipped source.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
// Linted as if it were this file's text; the file on disk is not touched.
const srcFile = fileURLToPath(new URL('../packages/errors/src/index.ts', import.meta.url));

async function ruleIdsFor(code: string): Promise<(string | null)[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: srcFile });
  return result?.messages.map((m) => m.ruleId) ?? [];
}

describe('lint gate on packages/*/src [ASVS V1.3.2]', () => {
  it('reports eval of a variable (security/detect-eval-with-expression)', async () => {
    const ids = await ruleIdsFor('export function run(x: string): unknown {\n  return eval(x);\n}\n');
    expect(ids).toContain('security/detect-eval-with-expression');
  });

  it('reports a RegExp built from a variable (security/detect-non-literal-regexp)', async () => {
    const ids = await ruleIdsFor('export function match(x: string): RegExp {\n  return new RegExp(x);\n}\n');
    expect(ids).toContain('security/detect-non-literal-regexp');
  });

  it('reports an explicit any', async () => {
    const ids = await ruleIdsFor('export function id(x: any): string {\n  return String(x);\n}\n');
    expect(ids).toContain('@typescript-eslint/no-explicit-any');
  });

  it('reports console in library source', async () => {
    const ids = await ruleIdsFor("export function hello(): void {\n  console.log('hi');\n}\n");
    expect(ids).toContain('no-console');
  });
});
