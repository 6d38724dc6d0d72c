// no-cors-reflection: cors() that accepts every origin while allowing credentials.
import type { TSESTree } from '@typescript-eslint/types';
import { constValue, findProperty, literalTruthiness, staticString, unwrap, walk, type Node } from '../resolve.js';
import { defineRule, report } from '../rule.js';
import type { Rule } from 'eslint';
import { keyOf } from '../resolve.js';

/** True when an origin option admits any origin: true, '*', or a callback that always says yes / echoes it. */
function allowsAny(context: Rule.RuleContext, value: Node): boolean {
  const v = constValue(context, value);
  if (v.type === 'Literal' && v.value === true) return true;
  if (staticString(context, v) === '*') return true;
  if (v.type !== 'ArrowFunctionExpression' && v.type !== 'FunctionExpression') return false;
  const [originParam, cbParam] = v.params;
  if (cbParam?.type !== 'Identifier') return false;
  const originName = originParam?.type === 'Identifier' ? originParam.name : undefined;
  // Only a body that is nothing but the callback call (no condition deciding it) reflects unconditionally.
  let call: Node | undefined;
  if (v.body.type === 'BlockStatement') {
    const [only] = v.body.body;
    if (v.body.body.length !== 1 || only?.type !== 'ExpressionStatement') return false;
    call = only.expression;
  } else call = v.body;
  const c = unwrap(call);
  if (c.type !== 'CallExpression' || c.callee.type !== 'Identifier' || c.callee.name !== cbParam.name) return false;
  const allow = c.arguments[1];
  if (!allow) return false;
  let conditional = false;
  walk(allow, (n) => {
    if (n.type === 'ConditionalExpression' || n.type === 'LogicalExpression' || n.type === 'CallExpression')
      conditional = true;
  });
  if (conditional) return false;
  const a = unwrap(allow);
  return literalTruthiness(a) === true || (a.type === 'Identifier' && a.name === originName);
}

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow cors() reflecting any origin together with credentials' },
    schema: [],
    messages: {
      reflect:
        'cors() admits every origin with `credentials: true`: any site can make credentialed requests and read the answers. List the allowed origins.',
    },
  },
  (context) => ({
    CallExpression(node: TSESTree.CallExpression) {
      if (keyOf(context, node.callee) !== 'cors') return;
      const arg = node.arguments[0];
      if (!arg) return;
      const obj = constValue(context, arg);
      const origin = findProperty(obj, 'origin');
      const credentials = findProperty(obj, 'credentials');
      if (origin && credentials && literalTruthiness(credentials.value) === true && allowsAny(context, origin.value))
        report(context, origin, 'reflect');
    },
  }),
);
