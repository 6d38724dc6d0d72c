// The one resolver every rule uses: what an expression refers to, through require(), `node:`, imports,
// dynamic import(), destructuring, util.promisify and const aliases, so renaming an import hides nothing.
import type { Rule, Scope } from 'eslint';
import type { TSESTree } from '@typescript-eslint/types';

/** Any node of the ESTree/TSESTree family (ESLint sets `parent` on every node). */
export type Node = TSESTree.Node;

/** What an expression refers to: a module (or `globalThis`) and a property path inside it. */
export interface Ref {
  /** Module specifier without `node:` (`child_process`, `fs/promises`), or `globalThis` for globals. */
  readonly module: string;
  /** Property path inside the module; `[]` is the module itself (default or namespace import). */
  readonly path: readonly string[];
}

const GLOBAL = 'globalThis';
const GLOBAL_OBJECTS = new Set(['globalThis', 'global', 'window', 'self']);
const MAX_DEPTH = 8;

/** Strips the wrappers that do not change a value: parentheses are already gone; TS casts, `!`, `?.`, `(0, x)`. */
export function unwrap(node: Node): Node {
  let n: Node = node;
  for (;;) {
    if (
      n.type === 'TSAsExpression' ||
      n.type === 'TSNonNullExpression' ||
      n.type === 'TSSatisfiesExpression' ||
      n.type === 'TSTypeAssertion' ||
      n.type === 'ChainExpression'
    )
      n = n.expression;
    else if (n.type === 'SequenceExpression' && n.expressions.length > 0)
      n = n.expressions[n.expressions.length - 1] as Node;
    else if (n.type === 'AwaitExpression') n = n.argument;
    else return n;
  }
}

/** The static name of a member property or object key (`a.b`, `a['b']`, `{ b: 1 }`, `{ 'b': 1 }`). */
export function propName(
  node: TSESTree.MemberExpression | TSESTree.Property | TSESTree.MethodDefinition | TSESTree.PropertyDefinition,
): string | undefined {
  const key = node.type === 'MemberExpression' ? node.property : node.key;
  if (!node.computed && key.type === 'Identifier') return key.name;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number'))
    return String(key.value);
  if (key.type === 'TemplateLiteral' && key.expressions.length === 0) return key.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** Finds the variable a name refers to from the scope at `node`, innermost first. */
export function findVariable(context: Rule.RuleContext, node: Node, name: string): Scope.Variable | undefined {
  let scope: Scope.Scope | null = context.sourceCode.getScope(node as never);
  while (scope) {
    const v = scope.set.get(name);
    if (v) return v;
    scope = scope.upper;
  }
  return undefined;
}

/** True when a variable is bound once and never reassigned (`const`, or a `let` nobody writes again). */
function isSingleAssignment(v: Scope.Variable): boolean {
  return v.references.filter((r) => r.isWrite()).length <= 1;
}

/** The path of property keys from a destructuring pattern's root down to `id` (`{ a: { b: id } }` → a, b). */
function patternPath(id: Node, root: Node): string[] | undefined {
  const path: string[] = [];
  let n: Node = id;
  while (n !== root) {
    const p: Node | undefined = n.parent;
    if (!p) return undefined;
    if (p.type === 'AssignmentPattern' && p.left === n) n = p;
    else if (p.type === 'Property' && p.value === n && p.parent.type === 'ObjectPattern') {
      const k = propName(p);
      if (k === undefined) return undefined;
      path.unshift(k);
      n = p.parent;
    } else return undefined;
  }
  return path;
}

function moduleRef(specifier: string, path: readonly string[]): Ref {
  const module = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  return { module, path: path[0] === 'default' ? path.slice(1) : path };
}

function extend(ref: Ref | undefined, path: readonly string[]): Ref | undefined {
  if (!ref) return undefined;
  return ref.module === GLOBAL
    ? { module: GLOBAL, path: [...ref.path, ...path] }
    : moduleRef(ref.module, [...ref.path, ...path]);
}

function stringArg(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateLiteral' && node.expressions.length === 0)
    return node.quasis[0]?.value.cooked ?? undefined;
  return undefined;
}

/** The variable's initial value (for a const-like variable), with the destructuring path to the name. */
export function variableInit(v: Scope.Variable): { init: Node; path: string[] } | undefined {
  const def = v.defs[0];
  if (v.defs.length !== 1 || !def || def.type !== 'Variable' || !isSingleAssignment(v)) return undefined;
  const declarator = def.node as unknown as TSESTree.VariableDeclarator;
  if (!declarator.init) return undefined;
  const path = patternPath(def.name as unknown as Node, declarator.id);
  return path ? { init: declarator.init, path } : undefined;
}

function resolveVariable(
  context: Rule.RuleContext,
  v: Scope.Variable | undefined,
  name: string,
  depth: number,
): Ref | undefined {
  if (!v || v.defs.length === 0)
    return GLOBAL_OBJECTS.has(name) ? { module: GLOBAL, path: [] } : { module: GLOBAL, path: [name] };
  const def = v.defs[0];
  if (!def || v.defs.length !== 1) return undefined;
  if (def.type === 'ImportBinding') {
    const spec = def.node as unknown as TSESTree.ImportClause;
    const decl = spec.parent as TSESTree.ImportDeclaration;
    if (spec.type === 'ImportSpecifier') {
      const imported = spec.imported.type === 'Identifier' ? spec.imported.name : spec.imported.value;
      return moduleRef(decl.source.value, [imported]);
    }
    return moduleRef(decl.source.value, []);
  }
  if (def.type === 'Variable') {
    const found = variableInit(v);
    if (!found) return undefined;
    return extend(resolveExpression(context, found.init, depth + 1), found.path);
  }
  if (def.type === 'Parameter') {
    // import('x').then((m) => …) and import('x').then(({ exec }) => …)
    const fn = def.node as unknown as Node;
    const call = fn.parent;
    if (
      (fn.type === 'ArrowFunctionExpression' || fn.type === 'FunctionExpression') &&
      call?.type === 'CallExpression' &&
      call.arguments[0] === fn &&
      call.callee.type === 'MemberExpression' &&
      propName(call.callee) === 'then'
    ) {
      const param = fn.params[0];
      if (!param) return undefined;
      const path = patternPath(def.name as unknown as Node, param);
      if (!path) return undefined;
      return extend(resolveExpression(context, call.callee.object, depth + 1), path);
    }
  }
  return undefined;
}

/** What `node` (an expression) refers to, or undefined when it is not statically known. */
export function resolveExpression(context: Rule.RuleContext, node: Node, depth = 0): Ref | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const n = unwrap(node);
  switch (n.type) {
    case 'Identifier':
      return resolveVariable(context, findVariable(context, n, n.name), n.name, depth);
    case 'MemberExpression': {
      const name = propName(n);
      if (name === undefined) return undefined;
      return extend(resolveExpression(context, n.object, depth + 1), [name]);
    }
    case 'ImportExpression': {
      const spec = stringArg(n.source);
      return spec === undefined ? undefined : moduleRef(spec, []);
    }
    case 'CallExpression': {
      const callee = resolveExpression(context, n.callee, depth + 1);
      if (!callee) return undefined;
      if (callee.module === GLOBAL && callee.path.length === 1 && callee.path[0] === 'require') {
        const spec = stringArg(n.arguments[0]);
        return spec === undefined ? undefined : moduleRef(spec, []);
      }
      if (refKey(callee) === 'util.promisify' && n.arguments[0])
        return resolveExpression(context, n.arguments[0], depth + 1);
      // fn.bind(thisArg) keeps the target.
      if (callee.path[callee.path.length - 1] === 'bind' && n.callee.type === 'MemberExpression')
        return resolveExpression(context, n.callee.object, depth + 1);
      return undefined;
    }
    default:
      return undefined;
  }
}

/** `child_process.exec`, `globalThis.Math.random`, `cors`: the dotted form rules compare against. */
export function refKey(ref: Ref): string {
  return [ref.module, ...ref.path].join('.');
}

/** Shorthand: the dotted key of what `node` refers to, or undefined. */
export function keyOf(context: Rule.RuleContext, node: Node): string | undefined {
  const ref = resolveExpression(context, node);
  return ref ? refKey(ref) : undefined;
}

/** A string value known statically: a literal, a template without expressions, or a const bound to one. */
export function staticString(context: Rule.RuleContext, node: Node | undefined, depth = 0): string | undefined {
  if (!node || depth > MAX_DEPTH) return undefined;
  const n = unwrap(node);
  const s = stringArg(n);
  if (s !== undefined) return s;
  if (n.type === 'BinaryExpression' && n.operator === '+') {
    const l = staticString(context, n.left, depth + 1);
    const r = l === undefined ? undefined : staticString(context, n.right, depth + 1);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  if (n.type === 'Identifier') {
    const v = findVariable(context, n, n.name);
    const found = v ? variableInit(v) : undefined;
    if (found && found.path.length === 0) return staticString(context, found.init, depth + 1);
  }
  return undefined;
}

/** The expression a const identifier was initialised with (no destructuring), else the node itself. */
export function constValue(context: Rule.RuleContext, node: Node, depth = 0): Node {
  const n = unwrap(node);
  if (n.type !== 'Identifier' || depth > MAX_DEPTH) return n;
  const v = findVariable(context, n, n.name);
  const found = v ? variableInit(v) : undefined;
  return found && found.path.length === 0 ? constValue(context, found.init, depth + 1) : n;
}

/** A literal's truthiness, or undefined when not a literal. */
export function literalTruthiness(node: Node): boolean | undefined {
  const n = unwrap(node);
  if (n.type === 'Literal') return Boolean(n.value);
  if (n.type === 'Identifier' && n.name === 'undefined') return false;
  if (n.type === 'UnaryExpression' && n.operator === 'void') return false;
  if (n.type === 'UnaryExpression' && n.operator === '!') {
    const inner = literalTruthiness(n.argument);
    return inner === undefined ? undefined : !inner;
  }
  if (n.type === 'TemplateLiteral' && n.expressions.length === 0) return (n.quasis[0]?.value.cooked ?? '') !== '';
  return undefined;
}

/** The property `name` of an object expression (last one wins, as at run time). */
export function findProperty(obj: Node, name: string): TSESTree.Property | undefined {
  if (obj.type !== 'ObjectExpression') return undefined;
  let found: TSESTree.Property | undefined;
  for (const p of obj.properties) if (p.type === 'Property' && propName(p) === name) found = p;
  return found;
}

/** Splits an identifier into lower-case words: `resetToken_v2` → reset, token, v2. */
export function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w !== '')
    .map((w) => w.toLowerCase());
}

/** The name a value lands in: binding, assigned member/property, or the function it is returned from. */
export function targetName(node: Node): string | undefined {
  const p = node.parent;
  if (!p) return undefined;
  if (p.type === 'VariableDeclarator' && p.init === node && p.id.type === 'Identifier') return p.id.name;
  if (p.type === 'AssignmentExpression' && p.right === node) {
    const l = p.left;
    if (l.type === 'Identifier') return l.name;
    if (l.type === 'MemberExpression') return propName(l);
  }
  if ((p.type === 'Property' || p.type === 'PropertyDefinition') && p.value === node) return propName(p);
  if (p.type === 'ReturnStatement' || (p.type === 'ArrowFunctionExpression' && p.body === node)) {
    let f: Node | undefined = p;
    while (
      f &&
      f.type !== 'FunctionDeclaration' &&
      f.type !== 'FunctionExpression' &&
      f.type !== 'ArrowFunctionExpression'
    )
      f = f.parent;
    if (!f) return undefined;
    if (f.type === 'FunctionDeclaration' || f.type === 'FunctionExpression') if (f.id) return f.id.name;
    const fp = f.parent;
    if (fp?.type === 'VariableDeclarator' && fp.id.type === 'Identifier') return fp.id.name;
    if (
      (fp?.type === 'Property' || fp?.type === 'MethodDefinition' || fp?.type === 'PropertyDefinition') &&
      fp.value === f
    )
      return propName(fp);
  }
  return undefined;
}

/** Visits every node below `root` (not into nested functions when `skipFunctions`). */
export function walk(root: Node, visit: (n: Node) => void, skipFunctions = false): void {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    visit(n);
    for (const key of Object.keys(n)) {
      if (key === 'parent') continue;
      const value: unknown = (n as unknown as Record<string, unknown>)[key];
      const children = Array.isArray(value) ? (value as unknown[]) : [value];
      for (const c of children) {
        if (c && typeof c === 'object' && typeof (c as { type?: unknown }).type === 'string') {
          const child = c as Node;
          if (
            skipFunctions &&
            (child.type === 'FunctionExpression' ||
              child.type === 'ArrowFunctionExpression' ||
              child.type === 'FunctionDeclaration')
          )
            continue;
          stack.push(child);
        }
      }
    }
  }
}

/** True for paths of test files, where assertions are the point. */
export function isTestFile(filename: string): boolean {
  return /(^|[\\/])(test|tests|__tests__|test-support)[\\/]|\.(test|spec)\.[cm]?[jt]sx?$/.test(filename);
}
