// no-sql-string: SQL text built from run-time values and handed to a driver or query builder.
import type { TSESTree } from '@typescript-eslint/types';
import { constValue, propName, staticString, type Node } from '../resolve.js';
import { defineRule, report } from '../rule.js';
import type { Rule } from 'eslint';

/** Methods whose argument is always raw SQL: any dynamic text is a finding. */
const ALWAYS_SQL = new Set([
  'raw',
  'unsafe',
  '$queryRawUnsafe',
  '$executeRawUnsafe',
  'whereRaw',
  'orderByRaw',
  'havingRaw',
  'joinRaw',
  'groupByRaw',
]);
/** Methods shared with non-SQL APIs (Map#get, RegExp#exec, router.get): a finding only when the text reads as SQL. */
const MAYBE_SQL = new Set(['query', 'execute', 'exec', 'prepare', 'all', 'get', 'run']);

const SQL_START =
  /^\s*\(?\s*(select|insert|update|delete|with|create|drop|alter|pragma|replace|truncate|merge|values|call)\b/i;
const SQL_INSIDE =
  /\b(select\s[\s\S]*\sfrom|insert\s+into|update\s+\S+\s+set|delete\s+from|where|order\s+by|group\s+by|limit)\b/i;

interface Dynamic {
  readonly text: string;
}

/** The static text of a string built with run-time values, or undefined when it is not built that way. */
function dynamicText(context: Rule.RuleContext, node: Node, depth = 0): Dynamic | undefined {
  if (depth > 4) return undefined;
  const n = constValue(context, node);
  if (n.type === 'TemplateLiteral') {
    if (n.expressions.length === 0) return undefined;
    return { text: n.quasis.map((q) => q.value.cooked ?? '').join(' ? ') };
  }
  if (n.type === 'BinaryExpression' && n.operator === '+') {
    const parts: string[] = [];
    let dynamic = false;
    const stack: Node[] = [n];
    while (stack.length > 0) {
      const e = stack.pop() as Node;
      if (e.type === 'BinaryExpression' && e.operator === '+') {
        stack.push(e.right, e.left);
        continue;
      }
      const s = staticString(context, e);
      if (s !== undefined) parts.push(s);
      else {
        const inner = dynamicText(context, e, depth + 1);
        if (inner) parts.push(inner.text);
        dynamic = true;
        parts.push(' ? ');
      }
    }
    return dynamic ? { text: parts.join('') } : undefined;
  }
  return undefined;
}

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow SQL built with string templates or concatenation' },
    schema: [],
    messages: {
      sql: 'SQL passed to `{{name}}` is built from run-time values; use placeholders with a parameter array or a `sql` tagged template.',
    },
  },
  (context) => ({
    CallExpression(node: TSESTree.CallExpression) {
      const callee = node.callee;
      if (callee.type !== 'MemberExpression') return;
      const name = propName(callee);
      if (name === undefined || (!ALWAYS_SQL.has(name) && !MAYBE_SQL.has(name))) return;
      const arg = node.arguments[0];
      if (!arg || arg.type === 'SpreadElement') return;
      const dyn = dynamicText(context, arg);
      if (!dyn) return;
      if (ALWAYS_SQL.has(name) || SQL_START.test(dyn.text) || SQL_INSIDE.test(dyn.text))
        report(context, arg, 'sql', { name });
    },
  }),
);
