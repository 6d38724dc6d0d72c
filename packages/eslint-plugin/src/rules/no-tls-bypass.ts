// no-tls-bypass: turning off TLS certificate or host-name verification.
import type { TSESTree } from '@typescript-eslint/types';
import { literalTruthiness, propName, staticString, unwrap, walk, type Node } from '../resolve.js';
import { defineRule, report } from '../rule.js';
import type { Rule } from 'eslint';

const ENV = 'NODE_TLS_REJECT_UNAUTHORIZED';

/** True when a literal value turns TLS verification off: anything but '1' for the env var. */
function disablesEnv(context: Rule.RuleContext, value: Node): boolean {
  const s = staticString(context, value);
  if (s !== undefined) return s !== '1';
  const v = unwrap(value);
  return v.type === 'Literal' && (v.value === 0 || v.value === false);
}

/** True for a function that never returns a value (so every certificate identity passes). */
function returnsNothing(fn: Node): boolean {
  if (fn.type !== 'ArrowFunctionExpression' && fn.type !== 'FunctionExpression') return false;
  if (fn.body.type !== 'BlockStatement')
    return literalTruthiness(fn.body) === false || (fn.body.type === 'Identifier' && fn.body.name === 'undefined');
  let returnsValue = false;
  walk(
    fn.body,
    (n) => {
      if (n.type === 'ReturnStatement' && n.argument && literalTruthiness(n.argument) !== false) returnsValue = true;
      if (n.type === 'ThrowStatement') returnsValue = true;
    },
    true,
  );
  return !returnsValue;
}

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow disabling TLS certificate and host-name verification' },
    schema: [],
    messages: {
      env: '`NODE_TLS_REJECT_UNAUTHORIZED` set to a value other than "1" turns off certificate verification for every connection of the process.',
      reject: '`rejectUnauthorized: false` accepts any certificate; add the issuing CA with `ca` instead.',
      identity: 'A `checkServerIdentity` that returns nothing accepts a certificate for any host.',
    },
  },
  (context) => ({
    AssignmentExpression(node: TSESTree.AssignmentExpression) {
      const l = node.left;
      if (l.type !== 'MemberExpression') return;
      const name = propName(l);
      if (name === ENV && disablesEnv(context, node.right)) report(context, node, 'env');
      if (name === 'rejectUnauthorized' && literalTruthiness(node.right) === false) report(context, node, 'reject');
      if (name === 'checkServerIdentity' && returnsNothing(unwrap(node.right))) report(context, node, 'identity');
    },
    Property(node: TSESTree.Property) {
      if (node.parent.type !== 'ObjectExpression') return;
      const name = propName(node);
      const value = node.value as Node;
      if (name === ENV && disablesEnv(context, value)) report(context, node, 'env');
      else if (name === 'rejectUnauthorized' && literalTruthiness(value) === false) report(context, node, 'reject');
      else if (name === 'checkServerIdentity' && returnsNothing(unwrap(value))) report(context, node, 'identity');
    },
  }),
);
