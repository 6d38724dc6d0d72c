// eslint-plugin-security ships no types; this is the part eslint.config.js uses.
declare module 'eslint-plugin-security' {
  import type { ESLint, Linter } from 'eslint';
  const plugin: ESLint.Plugin & { configs: { recommended: Linter.Config & { rules: Linter.RulesRecord } } };
  export default plugin;
}
