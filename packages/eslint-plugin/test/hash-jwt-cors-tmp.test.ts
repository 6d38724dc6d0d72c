// no-fast-password-hash, no-unverified-jwt, no-cors-reflection, no-tmp-race, no-unsafe-deserialize.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rule } from 'eslint';
import { rules } from '../src/index.js';
import { cjs, ruleTester } from './tester.js';

const r = (id: string): Rule.RuleModule => rules[id] as unknown as Rule.RuleModule;

ruleTester.run('no-fast-password-hash', r('no-fast-password-hash'), {
  valid: [
    {
      name: 'sha256 of a file body',
      code: 'import { createHash } from "node:crypto"; createHash("sha256").update(body).digest("hex");',
    },
    {
      name: 'pbkdf2 at 600,000',
      code: 'import crypto from "node:crypto"; crypto.pbkdf2Sync(password, salt, 600000, 32, "sha256");',
    },
    {
      name: 'scrypt for a password',
      code: 'import { scryptSync } from "node:crypto"; scryptSync(password, salt, 64);',
    },
  ],
  invalid: [
    {
      name: 'md5 of a password',
      code: 'import { createHash } from "node:crypto"; createHash("md5").update(password).digest("hex");',
      errors: [{ messageId: 'fast' }],
    },
    {
      name: 'sha1 through a const',
      code: 'const crypto = require("crypto"); const h = crypto.createHash("sha1"); h.update(user.passwordPlain);',
      ...cjs,
      errors: [{ messageId: 'fast' }],
    },
    {
      name: 'sha256 salted then password',
      code: 'import * as c from "crypto"; c.createHash("sha256").update(salt).update(pwd).digest();',
      errors: [{ messageId: 'fast' }],
    },
    {
      name: 'pbkdf2 with 10,000 iterations',
      code: 'import { pbkdf2 } from "node:crypto"; pbkdf2(pw, salt, 10000, 64, "sha512", cb);',
      errors: [{ messageId: 'pbkdf2' }],
    },
    {
      name: 'Web Crypto PBKDF2 with 1,000 iterations',
      code: 'await crypto.subtle.deriveBits({ name: "PBKDF2", salt, iterations: 1000, hash: "SHA-256" }, key, 256);',
      errors: [{ messageId: 'pbkdf2' }],
    },
  ],
});

ruleTester.run('no-unverified-jwt', r('no-unverified-jwt'), {
  valid: [
    {
      name: 'decodeJwt to read exp before refreshing',
      code: 'import { decodeJwt } from "jose"; if (decodeJwt(token).exp < now) refresh();',
    },
    {
      name: 'decodeJwt logged only',
      code: 'import * as jose from "jose"; const claims = jose.decodeJwt(t); logger.debug({ claims });',
    },
    {
      name: 'jsonwebtoken.verify with algorithms',
      code: 'import jwt from "jsonwebtoken"; jwt.verify(t, key, { algorithms: ["RS256"] });',
    },
    { name: 'one algorithm family', code: 'const o = { algorithms: ["ES256", "RS256"] };' },
  ],
  invalid: [
    {
      name: 'decodeJwt role check',
      code: 'import { decodeJwt } from "jose"; if (decodeJwt(t).role === "admin") next();',
      errors: [{ messageId: 'decode' }],
    },
    {
      name: 'jsonwebtoken.decode attached to req',
      code: 'const jwt = require("jsonwebtoken"); req.user = jwt.decode(token);',
      ...cjs,
      errors: [{ messageId: 'decode' }],
    },
    {
      name: 'jwt-decode default import, destructured, compared',
      code: 'import jwtDecode from "jwt-decode"; const { scope } = jwtDecode(t); if (scope.includes("write")) allow();',
      errors: [{ messageId: 'decode' }],
    },
    {
      name: 'jwt-decode v4 named import attached with Object.assign',
      code: 'import { jwtDecode } from "jwt-decode"; const c = jwtDecode(t); Object.assign(req, { claims: c });',
      errors: [{ messageId: 'decode' }],
    },
    {
      name: 'decoded claims to res.locals',
      code: 'import { decode } from "jsonwebtoken"; res.locals.user = decode(token);',
      errors: [{ messageId: 'decode' }],
    },
    {
      name: 'mixed HS and RS algorithms',
      code: 'jwt.verify(t, key, { algorithms: ["HS256", "RS256"] });',
      errors: [{ messageId: 'mixed' }],
    },
    {
      name: 'jsonwebtoken.verify without options',
      code: 'import jwt from "jsonwebtoken"; jwt.verify(token, publicKey);',
      errors: [{ messageId: 'verify' }],
    },
    {
      name: 'jsonwebtoken.verify with options lacking algorithms',
      code: 'import { verify } from "jsonwebtoken"; verify(token, key, { audience: "api" });',
      errors: [{ messageId: 'verify' }],
    },
  ],
});

ruleTester.run('no-cors-reflection', r('no-cors-reflection'), {
  valid: [
    {
      name: 'an allow-list with credentials',
      code: 'import cors from "cors"; app.use(cors({ origin: ["https://app.example"], credentials: true }));',
    },
    { name: 'any origin without credentials', code: 'import cors from "cors"; app.use(cors({ origin: "*" }));' },
    {
      name: 'a callback that checks a list',
      code: 'import cors from "cors"; cors({ origin: (o, cb) => cb(null, allowed.has(o)), credentials: true });',
    },
  ],
  invalid: [
    {
      name: 'origin: true with credentials',
      code: 'import cors from "cors"; app.use(cors({ origin: true, credentials: true }));',
      errors: [{ messageId: 'reflect' }],
    },
    {
      name: 'renamed require with "*"',
      code: 'const c = require("cors"); app.use(c({ origin: "*", credentials: true }));',
      ...cjs,
      errors: [{ messageId: 'reflect' }],
    },
    {
      name: 'callback always true',
      code: 'import cors from "cors"; cors({ origin: (o, cb) => cb(null, true), credentials: true });',
      errors: [{ messageId: 'reflect' }],
    },
    {
      name: 'callback echoing the origin, options in a const',
      code: 'import cors from "cors"; const opts = { credentials: true, origin(origin, done) { done(null, origin); } }; cors(opts);',
      errors: [{ messageId: 'reflect' }],
    },
  ],
});

ruleTester.run('no-tmp-race', r('no-tmp-race'), {
  valid: [
    {
      name: 'mkdtemp',
      code: 'import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; mkdtempSync(join(tmpdir(), "x-"));',
    },
    {
      name: 'guessable name written with wx',
      code: 'import fs from "node:fs"; import os from "node:os"; fs.writeFileSync(`${os.tmpdir()}/f-${Date.now()}`, data, { flag: "wx" });',
    },
    {
      name: 'a fixed path outside tmp',
      code: 'import fs from "node:fs"; fs.writeFileSync(`out-${Date.now()}.log`, data);',
    },
  ],
  invalid: [
    {
      name: 'writeFileSync to tmpdir + Date.now()',
      code: 'import fs from "node:fs"; import os from "node:os"; fs.writeFileSync(os.tmpdir() + "/up-" + Date.now(), data);',
      errors: [{ messageId: 'race' }],
    },
    {
      name: 'fs/promises writeFile with a const path and Math.random',
      code: 'import { writeFile } from "node:fs/promises"; import { tmpdir } from "os"; const p = join(tmpdir(), `x${Math.random()}`); await writeFile(p, d);',
      errors: [{ messageId: 'race' }],
    },
    {
      name: 'createWriteStream with flags w',
      code: 'const fs = require("fs"); const os = require("os"); fs.createWriteStream(`${os.tmpdir()}/${Date.now()}`, { flags: "w" });',
      ...cjs,
      errors: [{ messageId: 'race' }],
    },
  ],
});

const oldYaml = mkdtempSync(join(tmpdir(), 'eslintp-yaml3-'));
writeFileSync(join(oldYaml, 'package.json'), JSON.stringify({ dependencies: { 'js-yaml': '^3.14.1' } }));
const newYaml = mkdtempSync(join(tmpdir(), 'eslintp-yaml4-'));
writeFileSync(join(newYaml, 'package.json'), JSON.stringify({ dependencies: { 'js-yaml': '4.1.0' } }));

ruleTester.run('no-unsafe-deserialize', r('no-unsafe-deserialize'), {
  valid: [
    { name: 'JSON.parse', code: 'const v = JSON.parse(body);' },
    {
      name: 'js-yaml 4 default load',
      code: 'import yaml from "js-yaml"; yaml.load(text);',
      filename: join(newYaml, 'a.ts'),
    },
    {
      name: 'js-yaml with the core schema',
      code: 'import * as yaml from "js-yaml"; yaml.load(text, { schema: yaml.CORE_SCHEMA });',
      filename: join(oldYaml, 'a.ts'),
    },
  ],
  invalid: [
    {
      name: 'node-serialize unserialize',
      code: 'import serialize from "node-serialize"; serialize.unserialize(cookie);',
      errors: [{ messageId: 'always' }],
    },
    {
      name: 'serialize-to-js deserialize via require',
      code: 'const { deserialize } = require("serialize-to-js"); deserialize(str);',
      ...cjs,
      errors: [{ messageId: 'always' }],
    },
    {
      name: 'funcster deepDeserialize',
      code: 'import funcster from "funcster"; funcster.deepDeserialize(obj);',
      errors: [{ messageId: 'always' }],
    },
    { name: 'cryo parse', code: 'import Cryo from "cryo"; Cryo.parse(s);', errors: [{ messageId: 'always' }] },
    {
      name: 'v8.deserialize',
      code: 'import { deserialize } from "node:v8"; deserialize(buf);',
      errors: [{ messageId: 'always' }],
    },
    {
      name: 'js-yaml with an unsafe schema',
      code: 'import yaml from "js-yaml"; yaml.load(text, { schema: yaml.DEFAULT_FULL_SCHEMA });',
      filename: join(newYaml, 'a.ts'),
      errors: [{ messageId: 'schema' }],
    },
    {
      name: 'js-yaml 3 default load',
      code: 'import yaml from "js-yaml"; yaml.load(text);',
      filename: join(oldYaml, 'a.ts'),
      errors: [{ messageId: 'old' }],
    },
  ],
});
