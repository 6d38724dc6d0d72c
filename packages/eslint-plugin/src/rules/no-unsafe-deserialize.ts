// no-unsafe-deserialize: deserialisers that revive functions or arbitrary types from attacker input.
/* eslint-disable security/detect-non-literal-fs-filename -- reads the package-lock.json / package.json above the linted file, paths built from that file's own directory */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TSESTree } from '@typescript-eslint/types';
import { constValue, findProperty, keyOf } from '../resolve.js';
import { defineRule, report } from '../rule.js';

const ALWAYS = new Set([
  'node-serialize.unserialize',
  'serialize-to-js.deserialize',
  'funcster.deepDeserialize',
  'funcster.deserialize',
  'cryo.parse',
  'v8.deserialize',
]);
const YAML_LOADS = new Set(['js-yaml.load', 'js-yaml.loadAll']);
/** Schemas that construct only plain data. */
const SAFE_SCHEMAS = new Set([
  'FAILSAFE_SCHEMA',
  'JSON_SCHEMA',
  'CORE_SCHEMA',
  'DEFAULT_SCHEMA',
  'DEFAULT_SAFE_SCHEMA',
]);

const majorCache = new Map<string, number | undefined>();

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function get(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function major(version: unknown): number | undefined {
  if (typeof version !== 'string') return undefined;
  const m = /(\d+)/.exec(version);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * The major version of js-yaml the project uses, from the nearest lockfile, installed copy or manifest
 * (in that order, walking up from `dir`); undefined when none names it.
 */
export function jsYamlMajor(dir: string): number | undefined {
  if (majorCache.has(dir)) return majorCache.get(dir);
  let found: number | undefined;
  const lock = join(dir, 'package-lock.json');
  const installed = join(dir, 'node_modules', 'js-yaml', 'package.json');
  const manifest = join(dir, 'package.json');
  if (existsSync(lock)) found = major(get(readJson(lock), 'packages', 'node_modules/js-yaml', 'version'));
  if (found === undefined && existsSync(installed)) found = major(get(readJson(installed), 'version'));
  if (found === undefined && existsSync(manifest)) {
    const m = readJson(manifest);
    found = major(get(m, 'dependencies', 'js-yaml') ?? get(m, 'devDependencies', 'js-yaml'));
  }
  if (found === undefined) {
    const up = dirname(dir);
    found = up === dir ? undefined : jsYamlMajor(up);
  }
  majorCache.set(dir, found);
  return found;
}

export default defineRule(
  {
    type: 'problem',
    docs: { description: 'Disallow deserialisers that can revive functions or arbitrary types' },
    schema: [],
    messages: {
      always:
        '`{{name}}` revives functions or arbitrary objects from its input (remote code execution); use JSON.parse and validate.',
      schema:
        'js-yaml `{{name}}` with a schema that constructs JavaScript types runs attacker-chosen constructors; use the default schema.',
      old: 'js-yaml < 4 `load` constructs JavaScript types (functions, regexps) by default; upgrade to js-yaml 4 or use safeLoad.',
    },
  },
  (context) => ({
    CallExpression(node: TSESTree.CallExpression) {
      const key = keyOf(context, node.callee);
      if (key === undefined) return;
      if (ALWAYS.has(key)) {
        report(context, node, 'always', { name: key });
        return;
      }
      if (!YAML_LOADS.has(key)) return;
      const name = key.slice('js-yaml.'.length);
      const options = node.arguments[key === 'js-yaml.load' ? 1 : 2];
      const schema = options ? findProperty(constValue(context, options), 'schema') : undefined;
      if (schema) {
        const s = keyOf(context, schema.value);
        const last = s?.split('.').pop();
        if (last === undefined || !SAFE_SCHEMAS.has(last)) report(context, schema, 'schema', { name });
        return;
      }
      const m = jsYamlMajor(dirname(context.physicalFilename));
      if (m !== undefined && m < 4) report(context, node, 'old');
    },
  }),
);
