// The shape every rule of this plugin has, so rules read as `meta` + a listener over TSESTree nodes.
import type { Rule } from 'eslint';
import type { Node } from './resolve.js';

type Listener = Record<string, ((node: never) => void) | undefined>;

/** One rule: documentation, messages, options schema, and the listener factory. */
export function defineRule(
  meta: Rule.RuleMetaData & { docs: { description: string; url?: string } },
  create: (context: Rule.RuleContext) => Listener,
): Rule.RuleModule & { meta: Rule.RuleMetaData } {
  return { meta, create: (context) => create(context) as unknown as Rule.RuleListener };
}

/** Reports `messageId` at `node` with optional data. */
export function report(context: Rule.RuleContext, node: Node, messageId: string, data?: Record<string, string>): void {
  context.report({ node: node, messageId, ...(data ? { data } : {}) });
}
