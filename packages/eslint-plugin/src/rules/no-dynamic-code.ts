// no-dynamic-code: code built from strings at run time (eval, Function, string timers, node:vm).
import type { TSESTree } from '@typescript-eslint/types';
import { keyOf, staticString, unwrap, constValue, type Node } from '../resolve.js';
import { defineRule, report } from '../rule.js';

const TIMERS = new Set([
  'globalThis.setTimeout',
  'globalThis.setInterval',
  'globalThis.setImmediate',
  'timers.setTimeout',
  'timers.setInterval',
  'timers.setImmediate',
]);
const VM = new Set([
  'vm.runInContext',
  'vm.runInNewContext',
  'vm.runInThisContext',
  'vm.compileFunction',
  'vm.Script',
  'vm.SourceTextModule',
]);

/** True when a timer's first argument is evidently a string (not a function). */
function isStringy(context: Parameters<Parameters<typeof defineRule>[1]>[0], node: Node | undefined): boolean {
  if (!node) return false;
  if (staticString(context, node) !== undefined) return true;
  const n = constValue(context, node);
  if (n.type === 'TemplateLiteral') return true;
  if (n.type === 'BinaryExpression' && n.operator === '+')
    return isStringy(context, n.left) || isStringy(context, n.right);
  return false;
}

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow eval, Function, string timers and node:vm code execution' },
    schema: [],
    messages: {
      eval: '`eval` runs a string as code; parse data with JSON.parse or dispatch through a lookup table.',
      function: '`Function` compiles a string into code; write the function in source instead.',
      timer: '`{{name}}` with a string argument evaluates it as code; pass a function.',
      vm: '`{{name}}` runs a string as code, and node:vm is not a security boundary.',
    },
  },
  (context) => {
    function checkCall(node: TSESTree.CallExpression | TSESTree.NewExpression): void {
      const key = keyOf(context, node.callee);
      if (key === undefined) return;
      if (key === 'globalThis.Function') report(context, node, 'function');
      else if (TIMERS.has(key) && isStringy(context, node.arguments[0]))
        report(context, node, 'timer', { name: key.split('.').pop() ?? key });
      else if (VM.has(key)) report(context, node, 'vm', { name: key });
    }
    return {
      CallExpression: checkCall,
      NewExpression: checkCall,
      // Every reference to the global eval: direct calls, (0, eval)(s), aliases, globalThis.eval.
      Identifier(node: TSESTree.Identifier) {
        if (node.name !== 'eval') return;
        const p = node.parent;
        if (p.type === 'MemberExpression' && p.property === node && !p.computed) return;
        if ((p.type === 'Property' && p.key === node && !p.computed) || p.type === 'ImportSpecifier') return;
        if (keyOf(context, node) === 'globalThis.eval') report(context, node, 'eval');
      },
      MemberExpression(node: TSESTree.MemberExpression) {
        if (unwrap(node.object).type === 'Identifier' && keyOf(context, node) === 'globalThis.eval')
          report(context, node, 'eval');
      },
    };
  },
);
