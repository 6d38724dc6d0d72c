// @ts-check
// Flat config: typescript-eslint strict type-checked rules everywhere, eslint-plugin-security on shipped code.
import js from '@eslint/js';
import security from 'eslint-plugin-security';
import globals from 'globals';
import { tsImport } from 'tsx/esm/api';
import tseslint from 'typescript-eslint';

// Dogfood: this repository's own security rules, loaded from source (dist is built only for packing).
const { portcullisPlugin: portcullis } =
  /** @type {{ portcullisPlugin: import('./packages/eslint-plugin/src/index.ts').PortcullisPlugin }} */ (
    await tsImport('./packages/eslint-plugin/src/index.ts', import.meta.url)
  );

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '**/.tsbuild/**',
      '**/.data/**',
      'reports/**',
      'packages/eslint-plugin/test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', '.ci/*.mjs', 'packages/*/tsup.config.ts'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unnecessary-condition': 'off',
      // Express's Request/Response are interfaces over node:http's classes; passing them where an
      // IncomingMessage/ServerResponse is expected is how Express middleware works.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    ...security.configs.recommended,
    rules: {
      ...security.configs.recommended.rules,
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'error',
      // Reports every obj[key]; we index by validated keys constantly. Prototype pollution is
      // handled by Object.hasOwn checks, null-prototype objects and Maps instead.
      'security/detect-object-injection': 'off',
    },
  },
  {
    files: ['packages/*/src/**/*.ts', 'examples/*/src/**/*.ts'],
    // The plugin types its rules without typescript-eslint's (it has no runtime dependency on it).
    .../** @type {import('typescript-eslint').ConfigWithExtends} */ (
      /** @type {unknown} */ (portcullis.configs.recommended)
    ),
  },
  {
    files: ['**/test/**/*.ts', 'test-support/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    // ESTree node types are a string enum in typescript-eslint's types; rules compare them with the ESTree
    // strings ('Identifier') so the plugin needs no run-time dependency on @typescript-eslint/types.
    files: ['packages/eslint-plugin/**/*.ts'],
    rules: { '@typescript-eslint/no-unsafe-enum-comparison': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
