// `npm run token -- --sub u1 --tenant t1 --role reviewer [--role admin] [--ttl 900] [--dpop]`: a development access
// token; with --dpop a DPoP-bound one (cnf.jkt) and the client key that signs its proofs, as shell assignments.
import { parseArgs } from 'node:util';
import { isAbsolute, resolve } from 'node:path';
import process from 'node:process';
import { loadOrCreateDevKeys, signDevToken } from './devkeys.js';
import { createDpopClientKey } from './dpop-client.js';

const USAGE =
  'usage: npm run token -- --sub <subject> --tenant <tenant id> --role <reviewer|senior_reviewer|admin> [--role …] [--ttl <seconds, 1..3600>] [--dpop]\n' +
  '       --dpop prints TOKEN=… (bound to a new client key) and DPOP_KEY=… (the key for npm run dpop-proof): eval "$(npm run -s token -- … --dpop)"\n';
const ID = /^[A-Za-z0-9._:@|-]{1,128}$/;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string', multiple: true },
      ttl: { type: 'string' },
      dpop: { type: 'boolean' },
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
  if (values.dpop !== true) {
    process.stdout.write(`${await signDevToken(keys, { sub, tenantId: tenant, roles, ttlSec: ttl })}\n`);
    return;
  }
  const client = await createDpopClientKey();
  const token = await signDevToken(keys, { sub, tenantId: tenant, roles, ttlSec: ttl, jkt: client.jkt });
  // Single-quoted shell words: a JWT and a JWK's JSON never contain a single quote.
  process.stdout.write(`TOKEN='${token}'\nDPOP_KEY='${JSON.stringify(client.privateJwk)}'\nexport TOKEN DPOP_KEY\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : 'failed'}\n${USAGE}`);
  process.exitCode = 1;
});
