// require-suppression-reason: a security finding may be suppressed only with the reason written down.
import type { TSESTree } from '@typescript-eslint/types';
import { defineRule } from '../rule.js';

const DIRECTIVE = /^\s*eslint-disable(?:-next-line|-line)?(?=\s|$)([\s\S]*)$/;

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Require a `-- reason` on every suppression of a security rule' },
    schema: [
      {
        type: 'object',
        properties: { prefixes: { type: 'array', items: { type: 'string' }, uniqueItems: true } },
        additionalProperties: false,
      },
    ],
    messages: {
      reason:
        'This suppression of {{what}} has no reason; write it after ` -- ` (for example `-- the path was validated by openContained`).',
    },
  },
  (context) => {
    const option = (context.options[0] ?? {}) as { prefixes?: string[] };
    const prefixes = option.prefixes ?? ['@portcullis/', 'security/'];
    return {
      Program() {
        for (const comment of context.sourceCode.getAllComments() as unknown as TSESTree.Comment[]) {
          const m = DIRECTIVE.exec(comment.value);
          if (!m) continue;
          const rest = m[1] ?? '';
          const sep = rest.indexOf('--');
          const rules = (sep === -1 ? rest : rest.slice(0, sep))
            .split(',')
            .map((r) => r.trim())
            .filter((r) => r !== '');
          const reason = sep === -1 ? '' : rest.slice(sep + 2).trim();
          if (reason !== '') continue;
          const security = rules.filter((r) => prefixes.some((p) => r.startsWith(p)));
          if (rules.length > 0 && security.length === 0) continue;
          context.report({
            loc: comment.loc,
            messageId: 'reason',
            data: { what: rules.length === 0 ? 'every rule' : security.join(', ') },
          });
        }
      },
    };
  },
);
