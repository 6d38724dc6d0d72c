// no-unverified-jwt: decoded-but-unverified JWTs deciding access; algorithm confusion; verify without algorithms.
import type { TSESTree } from '@typescript-eslint/types';
import type { Rule } from 'eslint';
import {
  constValue,
  findProperty,
  findVariable,
  keyOf,
  propName,
  staticString,
  unwrap,
  type Node,
} from '../resolve.js';
import { defineRule, report } from '../rule.js';

const DECODERS = new Set(['jose.decodeJwt', 'jsonwebtoken.decode', 'jwt-decode', 'jwt-decode.jwtDecode']);
/** Claims read for housekeeping (refresh before expiry, pick a key), not for authorization. */
const HOUSEKEEPING = new Set(['exp', 'iat', 'nbf', 'kid', 'jti']);
const REQUEST_NAMES = new Set(['req', 'request']);

/** True when the value at `use` decides something or is attached to the request. */
function isDecisionUse(use: Node): boolean {
  let cur: Node = use;
  for (let i = 0; i < 16; i++) {
    const p: Node | undefined = cur.parent;
    if (!p) return false;
    if (p.type === 'MemberExpression' && p.object === cur) {
      const name = propName(p);
      if (name !== undefined && HOUSEKEEPING.has(name)) return false;
      cur = p;
      continue;
    }
    if (p.type === 'ChainExpression' || p.type === 'TSAsExpression' || p.type === 'TSNonNullExpression') {
      cur = p;
      continue;
    }
    if (p.type === 'CallExpression' && p.callee === cur) {
      cur = p;
      continue;
    }
    if (
      (p.type === 'IfStatement' || p.type === 'ConditionalExpression' || p.type === 'WhileStatement') &&
      p.test === cur
    )
      return true;
    if (p.type === 'SwitchStatement' && p.discriminant === cur) return true;
    if (p.type === 'BinaryExpression' && ['===', '!==', '==', '!=', 'in'].includes(p.operator)) return true;
    if (p.type === 'UnaryExpression' && p.operator === '!') return true;
    if (
      p.type === 'LogicalExpression' &&
      (p.operator === '&&' || (p.parent.type === 'IfStatement' && p.parent.test === p))
    )
      return true;
    if (p.type === 'CallExpression' && p.callee.type === 'MemberExpression' && propName(p.callee) === 'includes')
      return true;
    if (p.type === 'AssignmentExpression' && p.right === cur) return attachesToRequest(p.left);
    if (p.type === 'Property' && p.value === cur) {
      // Object.assign(req, { user: decoded }) / res.locals = { user: decoded }
      cur = p.parent;
      continue;
    }
    if (p.type === 'CallExpression' && p.arguments.includes(cur as TSESTree.CallExpressionArgument)) {
      return keyOfAssignTarget(p);
    }
    return false;
  }
  return false;
}

function rootName(node: Node): string[] {
  const names: string[] = [];
  let n = unwrap(node);
  while (n.type === 'MemberExpression') {
    const p = propName(n);
    if (p !== undefined) names.unshift(p);
    n = unwrap(n.object);
  }
  if (n.type === 'Identifier') names.unshift(n.name);
  return names;
}

function attachesToRequest(left: Node): boolean {
  const names = rootName(left);
  return (
    (names[0] !== undefined && REQUEST_NAMES.has(names[0]) && names.length > 1) ||
    (names[0] === 'res' && names[1] === 'locals')
  );
}

/** Object.assign(req, …) / Object.assign(res.locals, …). */
function keyOfAssignTarget(call: TSESTree.CallExpression): boolean {
  const c = call.callee;
  if (c.type !== 'MemberExpression' || propName(c) !== 'assign' || unwrap(c.object).type !== 'Identifier') return false;
  const target = call.arguments[0];
  if (!target) return false;
  const names = rootName(target);
  return (names[0] !== undefined && REQUEST_NAMES.has(names[0])) || (names[0] === 'res' && names[1] === 'locals');
}

/** Every place the decoded value is used: the call itself or each reference of the bindings it lands in. */
function uses(context: Rule.RuleContext, call: Node): Node[] {
  let top: Node = call;
  while (
    top.parent &&
    (top.parent.type === 'AwaitExpression' ||
      top.parent.type === 'TSAsExpression' ||
      top.parent.type === 'TSNonNullExpression')
  )
    top = top.parent;
  const p = top.parent;
  if (p?.type === 'VariableDeclarator' && p.init === top) {
    const ids: TSESTree.Identifier[] = [];
    const collect = (pat: Node): void => {
      if (pat.type === 'Identifier') ids.push(pat);
      else if (pat.type === 'ObjectPattern')
        for (const prop of pat.properties) collect(prop.type === 'Property' ? prop.value : prop.argument);
      else if (pat.type === 'AssignmentPattern') collect(pat.left);
      else if (pat.type === 'ArrayPattern') for (const e of pat.elements) if (e) collect(e);
    };
    collect(p.id);
    const out: Node[] = [];
    for (const id of ids) {
      const v = findVariable(context, id, id.name);
      if (!v) continue;
      for (const r of v.references) if (!r.init) out.push(r.identifier as unknown as Node);
    }
    return out;
  }
  return [top];
}

const SYMMETRIC = /^HS/;
const ASYMMETRIC = /^(RS|PS|ES|Ed)/;

export default defineRule(
  {
    type: 'problem',
    docs: {
      description:
        'Disallow unverified JWT decodes deciding access, mixed HS/asymmetric algorithm lists, verify without algorithms',
    },
    schema: [],
    messages: {
      decode:
        '`{{name}}` does not verify the signature; its claims must not decide access or be attached to the request. Verify with jose.jwtVerify.',
      mixed:
        '`algorithms` mixes HMAC with asymmetric algorithms: a public key can then be used as an HMAC secret (algorithm confusion).',
      verify:
        '`jsonwebtoken.verify` without `algorithms` lets the token choose its algorithm; pass `{ algorithms: [...] }`.',
    },
  },
  (context) => ({
    CallExpression(node: TSESTree.CallExpression) {
      const key = keyOf(context, node.callee);
      if (key === undefined) return;
      if (DECODERS.has(key)) {
        if (uses(context, node).some(isDecisionUse)) report(context, node, 'decode', { name: key });
        return;
      }
      if (key === 'jsonwebtoken.verify') {
        const options = node.arguments[2];
        const obj = options ? constValue(context, options) : undefined;
        if (
          !obj ||
          obj.type === 'ArrowFunctionExpression' ||
          obj.type === 'FunctionExpression' ||
          (obj.type === 'ObjectExpression' && !findProperty(obj, 'algorithms'))
        ) {
          // An options object we cannot see (a parameter) is given the benefit of the doubt.
          report(context, node, 'verify');
        }
      }
    },
    Property(node: TSESTree.Property) {
      if (propName(node) !== 'algorithms') return;
      const list = constValue(context, node.value);
      if (list.type !== 'ArrayExpression') return;
      const algs = list.elements.map((e) => (e && e.type !== 'SpreadElement' ? staticString(context, e) : undefined));
      if (
        algs.some((a) => a !== undefined && SYMMETRIC.test(a)) &&
        algs.some((a) => a !== undefined && ASYMMETRIC.test(a))
      )
        report(context, node, 'mixed');
    },
  }),
);
