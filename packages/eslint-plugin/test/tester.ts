// One RuleTester for every rule test: vitest's describe/it, typescript-eslint's parser, ES modules.
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, it } from 'vitest';

RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const ruleTester = new RuleTester({
  languageOptions: { parser: tseslint.parser, ecmaVersion: 'latest', sourceType: 'module' },
});

/** A CommonJS file for require() cases. */
export const cjs = { languageOptions: { sourceType: 'commonjs' as const } };
