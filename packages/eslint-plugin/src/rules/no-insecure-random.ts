// no-insecure-random: Math.random where the value becomes a secret; crypto.pseudoRandomBytes anywhere.
import type { TSESTree } from '@typescript-eslint/types';
import { keyOf, propName, targetName, words, type Node } from '../resolve.js';
import { defineRule, report } from '../rule.js';

/** Words that mark a name as holding a secret or an identifier that must not be guessable. */
export const DEFAULT_SECRET_WORDS: readonly string[] = [
  'token',
  'secret',
  'password',
  'salt',
  'nonce',
  'otp',
  'code',
  'key',
  'session',
  'csrf',
  'id',
];

/** Calls a random number passes through and stays a (transformed) random value. */
const PASS_THROUGH = new Set([
  'globalThis.Math.floor',
  'globalThis.Math.round',
  'globalThis.Math.ceil',
  'globalThis.Math.trunc',
  'globalThis.String',
  'globalThis.Number',
  'globalThis.parseInt',
]);

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow Math.random for tokens, secrets, ids and codes; disallow crypto.pseudoRandomBytes' },
    schema: [
      {
        type: 'object',
        properties: { words: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
        additionalProperties: false,
      },
    ],
    messages: {
      secret:
        '`Math.random()` is predictable and flows into `{{name}}`; use crypto.randomBytes, randomInt or randomUUID.',
      base36: '`Math.random().toString(36)` is the classic predictable token; use crypto.randomBytes or randomUUID.',
      pseudo: '`crypto.pseudoRandomBytes` is not cryptographically strong; use crypto.randomBytes.',
    },
  },
  (context) => {
    const option = (context.options[0] ?? {}) as { words?: string[] };
    const secretWords = new Set(option.words ?? DEFAULT_SECRET_WORDS);
    const isSecretName = (name: string): boolean =>
      words(name).some((w) => secretWords.has(w) || (w.endsWith('s') && secretWords.has(w.slice(0, -1))));
    return {
      CallExpression(node: TSESTree.CallExpression) {
        const key = keyOf(context, node.callee);
        if (key === 'crypto.pseudoRandomBytes') {
          report(context, node, 'pseudo');
          return;
        }
        if (key !== 'globalThis.Math.random') return;
        // Follow the value while it stays derived from the random number.
        let cur: Node = node;
        for (let i = 0; i < 32; i++) {
          const p: Node | undefined = cur.parent;
          if (!p) return;
          if (p.type === 'MemberExpression' && p.object === cur) {
            const call: Node = p.parent;
            if (propName(p) === 'toString' && call.type === 'CallExpression' && call.callee === p) {
              const radix = call.arguments[0];
              if (radix?.type === 'Literal' && radix.value === 36) {
                report(context, node, 'base36');
                return;
              }
            }
            cur = call.type === 'CallExpression' && call.callee === p ? call : p;
            continue;
          }
          if (
            p.type === 'BinaryExpression' ||
            p.type === 'UnaryExpression' ||
            p.type === 'TemplateLiteral' ||
            p.type === 'TSAsExpression' ||
            p.type === 'TSNonNullExpression' ||
            p.type === 'ChainExpression' ||
            (p.type === 'ConditionalExpression' && p.test !== cur)
          ) {
            cur = p;
            continue;
          }
          if (p.type === 'CallExpression' && p.arguments.includes(cur)) {
            const k = keyOf(context, p.callee);
            if (k !== undefined && PASS_THROUGH.has(k)) {
              cur = p;
              continue;
            }
            return;
          }
          const name = targetName(cur);
          if (name !== undefined && isSecretName(name)) report(context, node, 'secret', { name });
          return;
        }
      },
    };
  },
);
