// no-shell-exec: commands handed to a shell (exec with a built string, spawn & co. with `shell`).
import type { TSESTree } from '@typescript-eslint/types';
import { constValue, findProperty, keyOf, literalTruthiness, staticString } from '../resolve.js';
import { defineRule, report } from '../rule.js';

const EXEC = new Set(['child_process.exec', 'child_process.execSync']);
const SPAWN = new Set([
  'child_process.spawn',
  'child_process.spawnSync',
  'child_process.execFile',
  'child_process.execFileSync',
  'child_process.fork',
]);

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow shell command strings built at run time and child processes with a shell' },
    schema: [],
    messages: {
      exec: '`{{name}}` runs its command through a shell and this command is built at run time; use execFile/spawn with an argument array.',
      shell: '`{{name}}` with `shell` runs the command through a shell; pass an argument array without `shell`.',
    },
  },
  (context) => ({
    CallExpression(node: TSESTree.CallExpression) {
      const key = keyOf(context, node.callee);
      if (key === undefined) return;
      const name = key.replace(/^child_process\./, '');
      if (EXEC.has(key)) {
        const cmd = node.arguments[0];
        if (cmd && staticString(context, cmd) === undefined) report(context, node, 'exec', { name });
        return;
      }
      if (!SPAWN.has(key)) return;
      for (const arg of node.arguments) {
        const obj = constValue(context, arg);
        const shell = findProperty(obj, 'shell');
        if (shell && literalTruthiness(shell.value) !== false) {
          report(context, shell, 'shell', { name });
          return;
        }
      }
    },
  }),
);
