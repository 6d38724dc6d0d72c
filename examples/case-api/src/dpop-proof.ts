// `npm run dpop-proof -- --method GET --url http://localhost:3000/cases`: a DPoP proof for one request, signed with
// the client key `npm run token -- --dpop` printed (DPOP_KEY), bound to the token in TOKEN (the ath claim).
import { parseArgs } from 'node:util';
import process from 'node:process';
import { parseDpopClientKey, signDpopProof } from './dpop-client.js';

const USAGE =
  'usage: npm run dpop-proof -- --method <GET|POST|…> --url <request URL> [--token <access token>] [--key <client JWK>] [--nonce <DPoP-Nonce>]\n' +
  '       --token defaults to $TOKEN and --key to $DPOP_KEY (both printed by `npm run token -- --dpop`)\n';
const METHOD = /^[A-Z]{1,16}$/;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      method: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      key: { type: 'string' },
      nonce: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const key = values.key ?? process.env['DPOP_KEY'];
  const token = values.token ?? process.env['TOKEN'];
  const { method, url } = values;
  if (method === undefined || !METHOD.test(method) || url === undefined || !URL.canParse(url) || key === undefined) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const proof = await signDpopProof(await parseDpopClientKey(key), { method, url, token, nonce: values.nonce });
  process.stdout.write(`${proof}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`dpop-proof: ${error instanceof Error ? error.message : 'failed'}\n${USAGE}`);
  process.exitCode = 1;
});
