// require-suppression-reason: a suppressed security finding carries its reason.
import type { Rule } from 'eslint';
import { RuleTester } from 'eslint';
import { portcullisPlugin as plugin, rules } from '../src/index.js';
import './tester.js';

// The directives name real rules, so the plugin is loaded (ESLint reports directives for unknown rules).
const ruleTester = new RuleTester({ plugins: { '@portcullis': plugin as never } });

ruleTester.run('require-suppression-reason', rules['require-suppression-reason'] as unknown as Rule.RuleModule, {
  valid: [
    {
      name: 'a portcullis rule with a reason',
      code: '// eslint-disable-next-line @portcullis/no-shell-exec -- the command is a constant table entry\nx();',
    },
    { name: 'a non-security rule without a reason', code: '// eslint-disable-next-line no-console\nx();' },
    {
      name: 'a block directive with a reason',
      code: '/* eslint-disable @portcullis/no-sql-string, no-console -- the query is a constant */\nx();',
    },
  ],
  invalid: [
    {
      name: 'a portcullis rule without a reason',
      code: '// eslint-disable-next-line @portcullis/no-shell-exec\nx();',
      errors: [{ messageId: 'reason' }],
    },
    {
      name: 'every rule disabled on the next line without a reason',
      code: '// eslint-disable-next-line\nx();',
      errors: [{ messageId: 'reason' }],
    },
    {
      name: 'an empty reason',
      code: 'x(); // eslint-disable-line @portcullis/no-sql-string --   ',
      errors: [{ messageId: 'reason' }],
    },
  ],
});
