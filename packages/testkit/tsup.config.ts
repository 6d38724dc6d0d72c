// Build of @portcullis/testkit: the option module of @portcullis/errors is bundled from its source (dev tools depend on nothing of ours at run time).
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/vitest.ts', 'src/corpora.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  target: 'node20',
  clean: true,
  tsconfig: '../../tsconfig.build.json',
  noExternal: ['@portcullis/errors'],
  esbuildOptions(options) {
    options.conditions = ['@portcullis/source'];
  },
});
