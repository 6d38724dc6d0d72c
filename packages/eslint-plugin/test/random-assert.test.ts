// no-insecure-random and no-assert-security.
import type { Rule } from 'eslint';
import { rules } from '../src/index.js';
import { cjs, ruleTester } from './tester.js';

const random = rules['no-insecure-random'] as unknown as Rule.RuleModule;
const assertRule = rules['no-assert-security'] as unknown as Rule.RuleModule;

ruleTester.run('no-insecure-random', random, {
  valid: [
    { name: 'retry jitter', code: 'const delayMs = base * 2 ** attempt + Math.random() * 100;' },
    { name: 'sampling', code: 'if (Math.random() < sampleRate) log(event);' },
    { name: 'a timer delay (not the returned id)', code: 'const timerId = setTimeout(fn, Math.random() * 1000);' },
    {
      name: 'crypto.randomUUID for an id',
      code: 'import { randomUUID } from "node:crypto"; const requestId = randomUUID();',
    },
    { name: 'shuffle index', code: 'const j = Math.floor(Math.random() * (i + 1));' },
    { name: 'configured words exclude id', code: 'const traceId = Math.random();', options: [{ words: ['token'] }] },
  ],
  invalid: [
    {
      name: 'token binding',
      code: 'const token = Math.random().toString(16).slice(2);',
      errors: [{ messageId: 'secret' }],
    },
    {
      name: 'toString(36) anywhere',
      code: 'const x = Math.random().toString(36).substring(2);',
      errors: [{ messageId: 'base36' }],
    },
    {
      name: 'aliased Math.random',
      code: 'const rnd = Math.random; const resetCode = Math.floor(rnd() * 1e6);',
      errors: [{ messageId: 'secret' }],
    },
    {
      name: 'destructured random',
      code: 'const { random } = Math; const sessionId = String(random());',
      errors: [{ messageId: 'secret' }],
    },
    {
      name: 'returned from a secret-named function',
      code: 'function makeNonce() { return Math.random() * 1e9; }',
      errors: [{ messageId: 'secret' }],
    },
    {
      name: 'property of an object',
      code: 'const user = { salt: `${Math.random()}` };',
      errors: [{ messageId: 'secret' }],
    },
    { name: 'assigned to a member', code: 'req.session.csrfToken = Math.random();', errors: [{ messageId: 'secret' }] },
    {
      name: 'arrow returning an otp',
      code: 'const otp = () => Math.floor(Math.random() * 1000000);',
      errors: [{ messageId: 'secret' }],
    },
    {
      name: 'crypto.pseudoRandomBytes via require',
      code: 'const crypto = require("crypto"); crypto.pseudoRandomBytes(16);',
      ...cjs,
      errors: [{ messageId: 'pseudo' }],
    },
  ],
});

ruleTester.run('no-assert-security', assertRule, {
  valid: [
    {
      name: 'an invariant about data',
      code: 'import assert from "node:assert"; assert(buffer.length > 0);',
      filename: 'src/a.ts',
    },
    {
      name: 'Array.isArray is a type check',
      code: 'import assert from "node:assert"; assert(Array.isArray(items));',
      filename: 'src/a.ts',
    },
    {
      name: 'authorization asserted in a test file',
      code: 'import assert from "node:assert"; assert(user.isAdmin);',
      filename: 'test/admin.test.ts',
    },
    { name: 'a proper 403', code: 'if (!user.isAdmin) throw new ForbiddenError();', filename: 'src/a.ts' },
  ],
  invalid: [
    {
      name: 'assert(user.isAdmin)',
      code: 'import assert from "node:assert"; assert(user.isAdmin);',
      filename: 'src/a.ts',
      errors: [{ messageId: 'assert' }],
    },
    {
      name: 'assert.ok on a role',
      code: 'import * as assert from "assert"; assert.ok(req.user.role === "admin");',
      filename: 'src/a.ts',
      errors: [{ messageId: 'assert' }],
    },
    {
      name: 'assert.strict on tenant ownership',
      code: 'const assert = require("node:assert"); assert.strict(doc.tenantId === tenant);',
      ...cjs,
      filename: 'src/a.js',
      errors: [{ messageId: 'assert' }],
    },
    {
      name: 'console.assert on a permission',
      code: 'console.assert(hasPermission(user, "delete"));',
      filename: 'src/a.ts',
      errors: [{ messageId: 'assert' }],
    },
    {
      name: 'assert/strict with can…',
      code: 'import assert from "node:assert/strict"; assert(canEdit);',
      filename: 'src/a.ts',
      errors: [{ messageId: 'assert' }],
    },
  ],
});
