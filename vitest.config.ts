// One vitest run over every workspace: each package is a project; workspaces resolve to their TypeScript sources.
import { readdirSync, existsSync } from 'node:fs';
import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';
import { asvsTags } from './packages/asvs/src/index.js';

const SOURCE_CONDITION = '@portcullis/source';

function workspaceProjects(
  parent: string,
): { extends: true; test: { name: string; root: string; include: string[] } }[] {
  if (!existsSync(parent)) return [];
  return readdirSync(parent, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${parent}/${d.name}/test`))
    .map((d) => ({
      extends: true as const,
      test: { name: `${parent}/${d.name}`, root: `${parent}/${d.name}`, include: ['test/**/*.test.ts'] },
    }));
}

export default defineConfig({
  resolve: { conditions: [SOURCE_CONDITION] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
  test: {
    projects: [
      { extends: true, test: { name: 'repo', root: '.', include: ['test/**/*.test.ts'] } },
      ...workspaceProjects('packages'),
      ...workspaceProjects('examples'),
      ...(existsSync('bench/test')
        ? [{ extends: true as const, test: { name: 'bench', root: 'bench', include: ['test/**/*.test.ts'] } }]
        : []),
    ],
    // asvs:V… tags for every ASVS 5.0.0 requirement; strict tags refuse an id that does not exist.
    tags: asvsTags(),
    strictTags: true,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['**/*.d.ts'],
      reporter: ['text-summary', 'json-summary'],
      thresholds: { lines: 80, branches: 80 },
    },
  },
});
