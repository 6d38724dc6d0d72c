// no-tmp-race: guessable temp paths (os.tmpdir() + Date.now()/Math.random()) written without exclusive create.
import type { TSESTree } from '@typescript-eslint/types';
import type { Rule } from 'eslint';
import { constValue, findProperty, keyOf, staticString, walk, type Node } from '../resolve.js';
import { defineRule, report } from '../rule.js';

/** Writers and where their flags live: an options object (`flag`/`flags`) or a flags string argument. */
const WRITERS = new Map<string, { flagsArg: number; key: 'flag' | 'flags' }>([
  ['fs.writeFile', { flagsArg: 2, key: 'flag' }],
  ['fs.writeFileSync', { flagsArg: 2, key: 'flag' }],
  ['fs.appendFile', { flagsArg: 2, key: 'flag' }],
  ['fs.appendFileSync', { flagsArg: 2, key: 'flag' }],
  ['fs/promises.writeFile', { flagsArg: 2, key: 'flag' }],
  ['fs.promises.writeFile', { flagsArg: 2, key: 'flag' }],
  ['fs.open', { flagsArg: 1, key: 'flags' }],
  ['fs.openSync', { flagsArg: 1, key: 'flags' }],
  ['fs/promises.open', { flagsArg: 1, key: 'flags' }],
  ['fs.promises.open', { flagsArg: 1, key: 'flags' }],
  ['fs.createWriteStream', { flagsArg: 1, key: 'flags' }],
]);

/** Scans an expression (following const identifiers) for the calls it is built from. */
function builtFrom(context: Rule.RuleContext, node: Node, depth = 0): Set<string> {
  const keys = new Set<string>();
  if (depth > 4) return keys;
  walk(constValue(context, node), (n) => {
    if (n.type === 'CallExpression') {
      const k = keyOf(context, n.callee);
      if (k !== undefined) keys.add(k);
    }
    if (n.type === 'Identifier' && n !== node) {
      const v = constValue(context, n);
      if (v !== n) for (const k of builtFrom(context, v, depth + 1)) keys.add(k);
    }
  });
  return keys;
}

export default defineRule(
  {
    type: 'suggestion',
    docs: { description: 'Warn on guessable temp file names written without exclusive create' },
    schema: [],
    messages: {
      race: 'A temp path from os.tmpdir() and {{source}} is guessable, and this write follows a symlink planted there; use fs.mkdtemp or the `wx` flag.',
    },
  },
  (context) => ({
    CallExpression(node: TSESTree.CallExpression) {
      const key = keyOf(context, node.callee);
      const writer = key === undefined ? undefined : WRITERS.get(key);
      const target = node.arguments[0];
      if (!writer || !target) return;
      const keys = builtFrom(context, target);
      if (!keys.has('os.tmpdir')) return;
      const source = keys.has('globalThis.Date.now')
        ? 'Date.now()'
        : keys.has('globalThis.Math.random')
          ? 'Math.random()'
          : undefined;
      if (!source) return;
      const flagsNode = node.arguments[writer.flagsArg];
      let flags: string | undefined;
      if (flagsNode) {
        flags = staticString(context, flagsNode);
        const obj = constValue(context, flagsNode);
        const prop = findProperty(obj, writer.key);
        if (prop) flags = staticString(context, prop.value);
      }
      if (flags?.includes('x')) return;
      report(context, node, 'race', { source });
    },
  }),
);
