// `npm run new-package -- <name> "<description>"`: scaffolds packages/<name> in the errors pilot's layout.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import process from 'node:process';

const [name, description = ''] = process.argv.slice(2);
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
  process.stderr.write(
    'usage: npm run new-package -- <name> "<description>"   (name: lower-case letters, digits, -)\n',
  );
  process.exit(2);
}
const root = resolve(import.meta.dirname, '..');
const dir = resolve(root, 'packages', name);
if (existsSync(dir)) {
  process.stderr.write(`packages/${name} exists already\n`);
  process.exit(1);
}
const pilot = JSON.parse(readFileSync(resolve(root, 'packages/errors/package.json'), 'utf8'));
const manifest = {
  ...pilot,
  name: `@portcullis/${name}`,
  version: '0.1.0',
  description,
  dependencies: { '@portcullis/errors': '^0.1.0' },
};
// The pilot has a second entry (@portcullis/errors/options); a new package starts with its main entry only.
manifest.exports = { '.': pilot.exports['.'], './package.json': './package.json' };
delete manifest.typesVersions;
manifest.scripts = {
  ...pilot.scripts,
  build: 'tsup src/index.ts --format esm,cjs --dts --target node20 --clean --tsconfig ../../tsconfig.build.json',
};
mkdirSync(resolve(dir, 'src'), { recursive: true });
mkdirSync(resolve(dir, 'test'), { recursive: true });
writeFileSync(resolve(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  resolve(dir, 'tsconfig.json'),
  `${JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { rootDir: '.', outDir: '.tsbuild', tsBuildInfoFile: '.tsbuild/tsconfig.tsbuildinfo' },
      include: ['src', 'test'],
      references: [{ path: '../../test-support' }, { path: '../errors' }],
    },
    null,
    2,
  )}\n`,
);
writeFileSync(resolve(dir, 'src/index.ts'), `// Public entry of @portcullis/${name}.\nexport {};\n`);
writeFileSync(resolve(dir, 'README.md'), `# @portcullis/${name}\n\n${description}\n`);
const solution = JSON.parse(readFileSync(resolve(root, 'tsconfig.json'), 'utf8'));
solution.references.push({ path: `./packages/${name}` });
writeFileSync(resolve(root, 'tsconfig.json'), `${JSON.stringify(solution, null, 2)}\n`);
process.stdout.write(`created packages/${name}; now run \`npm install\` once to link it, then write src/ and test/.\n`);
