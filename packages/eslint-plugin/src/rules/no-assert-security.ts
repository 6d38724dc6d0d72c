// no-assert-security: assert/console.assert deciding authorization outside tests.
import type { TSESTree } from '@typescript-eslint/types';
import { isTestFile, keyOf, propName, walk, words } from '../resolve.js';
import { defineRule, report } from '../rule.js';

const ASSERTS = new Set([
  'assert',
  'assert.ok',
  'assert.strict',
  'assert.strict.ok',
  'assert/strict',
  'assert/strict.ok',
  'globalThis.console.assert',
]);
const AUTH_WORDS = new Set([
  'admin',
  'admins',
  'role',
  'roles',
  'permission',
  'permissions',
  'owner',
  'owners',
  'tenant',
  'tenants',
  'allowed',
  'authorized',
  'authorised',
  'authz',
  'scope',
  'scopes',
]);
/** `is…` names of type and number checks, not authorization. */
const NOT_AUTH = new Set([
  'isArray',
  'isInteger',
  'isSafeInteger',
  'isFinite',
  'isNaN',
  'isBuffer',
  'isView',
  'isFrozen',
  'isSealed',
  'isExtensible',
  'isPrototypeOf',
  'isEncoding',
  'isError',
]);

/** True when an identifier reads as an authorization fact. */
function isAuthName(name: string): boolean {
  if (NOT_AUTH.has(name)) return false;
  if (/^(can|is)[A-Z_]/.test(name)) return true;
  return words(name).some((w) => AUTH_WORDS.has(w) || w.startsWith('auth'));
}

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow assert and console.assert as authorization checks outside tests' },
    schema: [],
    messages: {
      assert:
        '`{{name}}` used as an authorization check: assertions are stripped by bundlers, console.assert never throws, and an AssertionError is a 500, not a 403. Throw a 403 HttpError.',
    },
  },
  (context) => {
    if (isTestFile(context.filename)) return {};
    return {
      CallExpression(node: TSESTree.CallExpression) {
        const key = keyOf(context, node.callee);
        if (key === undefined || !ASSERTS.has(key)) return;
        const cond = node.arguments[0];
        if (!cond) return;
        let auth = false;
        walk(cond, (n) => {
          if (n.type === 'Identifier' && isAuthName(n.name)) auth = true;
          if (n.type === 'MemberExpression') {
            const p = propName(n);
            if (p !== undefined && isAuthName(p)) auth = true;
          }
          if (n.type === 'Literal' && typeof n.value === 'string' && isAuthName(n.value)) auth = true;
        });
        if (auth) report(context, node, 'assert', { name: key.replace(/^globalThis\./, '') });
      },
    };
  },
);
