// no-dynamic-code and no-shell-exec: every import style reaches the dangerous call; safe forms stay quiet.
import { rules } from '../src/index.js';
import { cjs, ruleTester } from './tester.js';
import type { Rule } from 'eslint';

const dynamic = rules['no-dynamic-code'] as unknown as Rule.RuleModule;
const shell = rules['no-shell-exec'] as unknown as Rule.RuleModule;

ruleTester.run('no-dynamic-code', dynamic, {
  valid: [
    { name: 'a timer with a function', code: 'setTimeout(() => run(), 100);' },
    { name: 'a local function named eval', code: 'function f(evaluate) { const evalx = 1; return evaluate(evalx); }' },
    { name: 'a property named eval', code: 'const o = { eval: 1 }; o.eval;' },
    { name: 'JSON.parse of input', code: 'JSON.parse(input);' },
    {
      name: 'vm-like method on another object',
      code: 'import { runInContext } from "./sandbox.js"; runInContext(code);',
    },
  ],
  invalid: [
    { name: 'direct eval', code: 'eval(input);', errors: [{ messageId: 'eval' }] },
    { name: 'indirect (0, eval)', code: '(0, eval)(input);', errors: [{ messageId: 'eval' }] },
    { name: 'globalThis.eval', code: 'globalThis.eval(input);', errors: [{ messageId: 'eval' }] },
    { name: 'aliased eval', code: 'const run = eval; run(input);', errors: [{ messageId: 'eval' }] },
    { name: 'window["eval"]', code: 'window["eval"](input);', errors: [{ messageId: 'eval' }] },
    { name: 'new Function', code: 'new Function("a", body);', errors: [{ messageId: 'function' }] },
    { name: 'Function call', code: 'Function(body)();', errors: [{ messageId: 'function' }] },
    { name: 'string setTimeout', code: 'setTimeout("tick()", 10);', errors: [{ messageId: 'timer' }] },
    { name: 'template setInterval', code: 'setInterval(`run(${x})`, 10);', errors: [{ messageId: 'timer' }] },
    {
      name: 'string setImmediate via const',
      code: 'const code = "go()"; setImmediate(code);',
      errors: [{ messageId: 'timer' }],
    },
    {
      name: 'vm.runInNewContext via namespace import',
      code: 'import * as vm from "node:vm"; vm.runInNewContext(src, {});',
      errors: [{ messageId: 'vm' }],
    },
    {
      name: 'renamed named import runInThisContext',
      code: 'import { runInThisContext as r } from "vm"; r(src);',
      errors: [{ messageId: 'vm' }],
    },
    {
      name: 'new vm.Script via require',
      code: 'const vm = require("vm"); new vm.Script(src);',
      ...cjs,
      errors: [{ messageId: 'vm' }],
    },
    {
      name: 'compileFunction destructured from require',
      code: 'const { compileFunction } = require("node:vm"); compileFunction(src);',
      ...cjs,
      errors: [{ messageId: 'vm' }],
    },
    {
      name: 'runInContext through awaited import()',
      code: 'const vm = await import("node:vm"); vm.runInContext(src, ctx);',
      errors: [{ messageId: 'vm' }],
    },
    {
      name: 'vm default import',
      code: 'import vm from "node:vm"; vm.runInContext(src, ctx);',
      errors: [{ messageId: 'vm' }],
    },
  ],
});

ruleTester.run('no-shell-exec', shell, {
  valid: [
    { name: 'exec with a literal command', code: 'import { exec } from "node:child_process"; exec("git status", cb);' },
    {
      name: 'execFile with an argument array',
      code: 'import { execFile } from "node:child_process"; execFile("git", ["log", ref], cb);',
    },
    {
      name: 'spawn with shell: false',
      code: 'import { spawn } from "node:child_process"; spawn("ls", [dir], { shell: false });',
    },
    { name: 'a regex exec', code: 'const m = /a(b)/.exec(input);' },
    { name: 'a local exec function', code: 'function exec(cmd) { return cmd; } exec(`x ${y}`);' },
    {
      name: 'exec with a const literal',
      code: 'import { execSync } from "child_process"; const CMD = "npm --version"; execSync(CMD);',
    },
  ],
  invalid: [
    {
      name: 'exec with a template',
      code: 'import { exec } from "node:child_process"; exec(`git log ${ref}`);',
      errors: [{ messageId: 'exec' }],
    },
    {
      name: 'execSync concatenated via require',
      code: 'const cp = require("child_process"); cp.execSync("rm -rf " + dir);',
      ...cjs,
      errors: [{ messageId: 'exec' }],
    },
    {
      name: 'exec through util.promisify',
      code: 'import util from "node:util"; import { exec } from "node:child_process"; const run = util.promisify(exec); await run(`convert ${file}`);',
      errors: [{ messageId: 'exec' }],
    },
    {
      name: 'exec through named promisify',
      code: 'import { promisify } from "util"; import * as cp from "child_process"; const sh = promisify(cp.exec); sh(cmd);',
      errors: [{ messageId: 'exec' }],
    },
    {
      name: 'exec from dynamic import().then',
      code: 'import("child_process").then((cp) => cp.exec(cmd));',
      errors: [{ messageId: 'exec' }],
    },
    {
      name: 'exec destructured in .then',
      code: 'import("node:child_process").then(({ exec: run }) => run(cmd));',
      errors: [{ messageId: 'exec' }],
    },
    {
      name: 'exec from awaited dynamic import',
      code: 'const { execSync } = await import("node:child_process"); execSync(input);',
      errors: [{ messageId: 'exec' }],
    },
    {
      name: 'spawn with shell: true',
      code: 'import { spawn } from "node:child_process"; spawn(cmd, { shell: true });',
      errors: [{ messageId: 'shell' }],
    },
    {
      name: 'spawnSync with a shell path',
      code: 'import cp from "node:child_process"; cp.spawnSync("ls", [d], { shell: "/bin/sh" });',
      errors: [{ messageId: 'shell' }],
    },
    {
      name: 'execFile with shell from a const options object',
      code: 'import { execFile } from "child_process"; const opts = { shell: true }; execFile(f, [a], opts);',
      errors: [{ messageId: 'shell' }],
    },
    {
      name: 'fork with a non-literal shell',
      code: 'import { fork } from "child_process"; fork(m, [], { shell: useShell });',
      errors: [{ messageId: 'shell' }],
    },
  ],
});
