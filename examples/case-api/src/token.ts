// `npm run token -- --sub u1 --tenant t1 --role reviewer [--role admin] [--ttl 900]`: a development access token.
import { parseArgs } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import process from 'node:process';
import { loadOrCreateDevKeys, signDevToken } from './devkeys.js';

const USAGE =
  'usage: npm run token -- --sub <subject> --tenant <tenant id> --role <reviewer|senior_reviewer|admin> [--role …] [--ttl <seconds, 1..3600>]\n';
const ID = /^[A-Za-z0-9._:@|-]{1,128}$/;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string', multiple: true },
      ttl: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const { sub, tenant } = values;
  const roles = values.role ?? [];
  const ttl = values.ttl === undefined ? 900 : Number(values.ttl);
  if (
    sub === undefined ||
    !ID.test(sub) ||
    tenant === undefined ||
    !ID.test(tenant) ||
    roles.length === 0 ||
    !Number.isInteger(ttl) ||
    ttl < 1 ||
    ttl > 3600
  ) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const dataDir = process.env['DATA_DIR'] ?? './.data';
  const { keys } = await loadOrCreateDevKeys(isAbsolute(dataDir) ? dataDir : resolve(process.cwd(), dataDir));
  process.stdout.write(`${await signDevToken(keys, { sub, tenantId: tenant, roles, ttlSec: ttl })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : 'failed'}\n${USAGE}`);
  process.exitCode = 1;
});
