// no-fast-password-hash: passwords through fast digests; PBKDF2 below OWASP's 600,000 iterations.
import type { TSESTree } from '@typescript-eslint/types';
import type { Rule } from 'eslint';
import { constValue, findProperty, keyOf, propName, staticString, unwrap, walk, words, type Node } from '../resolve.js';
import { defineRule, report } from '../rule.js';

const FAST = /^(md4|md5|sha-?1|sha-?224|sha-?256|sha-?384|sha-?512|sha3-\d+|ripemd160)$/i;
const PASSWORD_WORDS = new Set(['password', 'passwords', 'passwd', 'pwd', 'passphrase']);
/** OWASP Password Storage Cheat Sheet, PBKDF2-HMAC-SHA256. */
const MIN_ITERATIONS = 600_000;

function mentionsPassword(node: Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (n.type === 'Identifier' && words(n.name).some((w) => PASSWORD_WORDS.has(w))) found = true;
    if (n.type === 'MemberExpression') {
      const p = propName(n);
      if (p !== undefined && words(p).some((w) => PASSWORD_WORDS.has(w))) found = true;
    }
  });
  return found;
}

/** True when `node` evaluates to a createHash(<fast algorithm>) object (directly, via a chain, or a const). */
function isFastHash(context: Rule.RuleContext, node: Node, depth = 0): boolean {
  if (depth > 8) return false;
  const n = constValue(context, unwrap(node));
  if (n.type !== 'CallExpression') return false;
  const key = keyOf(context, n.callee);
  if (key === 'crypto.createHash') {
    const alg = staticString(context, n.arguments[0]);
    return alg !== undefined && FAST.test(alg);
  }
  // createHash('md5').update(salt).update(password): the object of an earlier update().
  if (n.callee.type === 'MemberExpression' && propName(n.callee) === 'update')
    return isFastHash(context, n.callee.object, depth + 1);
  return false;
}

function numberValue(context: Rule.RuleContext, node: Node | undefined): number | undefined {
  if (!node) return undefined;
  const n = constValue(context, node);
  return n.type === 'Literal' && typeof n.value === 'number' ? n.value : undefined;
}

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow fast digests of passwords and PBKDF2 below 600,000 iterations' },
    schema: [],
    messages: {
      fast: 'A password hashed with a fast digest is brute-forced at billions of guesses a second; use argon2id, scrypt or PBKDF2 with ≥ 600,000 iterations.',
      pbkdf2: 'PBKDF2 with {{n}} iterations is below the 600,000 OWASP recommends for SHA-256.',
    },
  },
  (context) => ({
    CallExpression(node: TSESTree.CallExpression) {
      const callee = node.callee;
      if (callee.type === 'MemberExpression' && propName(callee) === 'update') {
        const arg = node.arguments[0];
        if (arg && mentionsPassword(arg) && isFastHash(context, callee.object)) report(context, node, 'fast');
        return;
      }
      const key = keyOf(context, callee);
      if (key === 'crypto.pbkdf2' || key === 'crypto.pbkdf2Sync') {
        const n = numberValue(context, node.arguments[2]);
        if (n !== undefined && n < MIN_ITERATIONS) report(context, node, 'pbkdf2', { n: String(n) });
      }
    },
    // Web Crypto: subtle.deriveBits({ name: 'PBKDF2', iterations: 1000, … })
    ObjectExpression(node: TSESTree.ObjectExpression) {
      const name = findProperty(node, 'name');
      const iterations = findProperty(node, 'iterations');
      if (!name || !iterations || staticString(context, name.value)?.toUpperCase() !== 'PBKDF2') return;
      const n = numberValue(context, iterations.value);
      if (n !== undefined && n < MIN_ITERATIONS) report(context, iterations, 'pbkdf2', { n: String(n) });
    },
  }),
);
