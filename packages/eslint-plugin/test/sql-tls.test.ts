// no-sql-string and no-tls-bypass: driver and ORM forms that build SQL from values; TLS verification turned off.
import type { Rule } from 'eslint';
import { rules } from '../src/index.js';
import { cjs, ruleTester } from './tester.js';

const sql = rules['no-sql-string'] as unknown as Rule.RuleModule;
const tls = rules['no-tls-bypass'] as unknown as Rule.RuleModule;
const e = [{ messageId: 'sql' }];

ruleTester.run('no-sql-string', sql, {
  valid: [
    {
      name: 'pg with placeholders and a parameter array',
      code: 'await pool.query("SELECT * FROM users WHERE id = $1", [id]);',
    },
    { name: 'postgres.js sql tagged template', code: 'await sql`SELECT * FROM users WHERE id = ${id}`;' },
    {
      name: 'Prisma $queryRaw tagged template',
      code: 'await prisma.$queryRaw`SELECT * FROM "User" WHERE id = ${id}`;',
    },
    { name: 'Prisma.sql fragment', code: 'await prisma.$queryRaw(Prisma.sql`SELECT 1 WHERE a = ${a}`);' },
    { name: 'knex.raw with bindings', code: 'knex.raw("select * from users where id = ?", [id]);' },
    { name: 'Map#get with a template key', code: 'cache.get(`${tenant}:${id}`);' },
    { name: 'Express route with a template path', code: 'app.get(`${prefix}/users/:id/delete`, handler);' },
    { name: 'RegExp#exec', code: 're.exec(`${a}b`);' },
    {
      name: 'better-sqlite3 prepare with a literal and run with values',
      code: 'db.prepare("INSERT INTO t (a) VALUES (?)").run(value);',
    },
    { name: 'a query built only of literals', code: 'const q = "SELECT * " + "FROM t"; db.query(q);' },
  ],
  invalid: [
    {
      name: 'pg query with a template',
      code: 'await client.query(`SELECT * FROM users WHERE id = ${id}`);',
      errors: e,
    },
    {
      name: 'mysql2 execute with concatenation',
      code: 'await conn.execute("SELECT * FROM t WHERE name = \'" + name + "\'");',
      errors: e,
    },
    {
      name: 'a local const built by template',
      code: 'const q = `DELETE FROM sessions WHERE user = ${user}`; await db.query(q);',
      errors: e,
    },
    {
      name: 'Prisma $queryRawUnsafe',
      code: 'await prisma.$queryRawUnsafe(`SELECT * FROM "User" WHERE email = \'${email}\'`);',
      errors: e,
    },
    {
      name: 'Prisma $executeRawUnsafe with concatenation',
      code: 'await prisma.$executeRawUnsafe("UPDATE t SET a = " + a);',
      errors: e,
    },
    { name: 'knex.raw with a template', code: 'await knex.raw(`select * from users where id = ${id}`);', errors: e },
    { name: 'knex whereRaw', code: 'knex("users").whereRaw(`name = \'${name}\'`);', errors: e },
    { name: 'knex orderByRaw with a column from input', code: 'knex("users").orderByRaw(`${col} desc`);', errors: e },
    {
      name: 'sequelize.query',
      code: 'await sequelize.query(`SELECT * FROM projects WHERE status = ${status}`);',
      errors: e,
    },
    {
      name: 'better-sqlite3 prepare with a template',
      code: 'db.prepare(`SELECT * FROM t WHERE id = ${id}`).get();',
      errors: e,
    },
    { name: 'better-sqlite3 exec with concatenation', code: 'db.exec("DROP TABLE " + table);', errors: e },
    { name: 'sqlite all with a template', code: 'db.all(`select * from notes where owner = ${owner}`);', errors: e },
    { name: 'postgres.js sql.unsafe', code: 'await sql.unsafe(`select * from t where a = ${a}`);', errors: e },
    { name: 'WHERE clause appended to a base query', code: 'db.query(base + " WHERE id = " + id);', errors: e },
  ],
});

ruleTester.run('no-tls-bypass', tls, {
  valid: [
    { name: 'rejectUnauthorized: true', code: 'https.request({ host, rejectUnauthorized: true });' },
    { name: 'NODE_TLS_REJECT_UNAUTHORIZED = "1"', code: 'process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";' },
    {
      name: 'checkServerIdentity delegating to tls',
      code: 'const o = { checkServerIdentity: (h, c) => tls.checkServerIdentity(h, c) };',
    },
    { name: 'custom CA', code: 'new https.Agent({ ca: [pem] });' },
  ],
  invalid: [
    {
      name: 'env var set to "0"',
      code: 'process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";',
      errors: [{ messageId: 'env' }],
    },
    {
      name: 'env var bracket form set to 0',
      code: 'process.env["NODE_TLS_REJECT_UNAUTHORIZED"] = 0;',
      ...cjs,
      errors: [{ messageId: 'env' }],
    },
    {
      name: 'env var passed to a child',
      code: 'spawn("node", [f], { env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: "0" } });',
      errors: [{ messageId: 'env' }],
    },
    {
      name: 'rejectUnauthorized: false in an Agent',
      code: 'new https.Agent({ rejectUnauthorized: false });',
      errors: [{ messageId: 'reject' }],
    },
    {
      name: 'rejectUnauthorized assigned false',
      code: 'options.rejectUnauthorized = false;',
      errors: [{ messageId: 'reject' }],
    },
    {
      name: 'checkServerIdentity returning nothing',
      code: 'tls.connect({ host, checkServerIdentity: () => undefined });',
      errors: [{ messageId: 'identity' }],
    },
    {
      name: 'checkServerIdentity with an empty body',
      code: 'tls.connect({ checkServerIdentity() {} });',
      errors: [{ messageId: 'identity' }],
    },
  ],
});
