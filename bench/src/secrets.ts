// `npm run bench:secrets`: @portcullis/secrets at its defaults on this machine — hash and verify medians (goal
// ≤ 50 ms each), verifyOrDummy(undefined) against a real verify (goal within ±20 %), and the cost of refusing a
// hostile stored hash (goal < 5 ms). Calls are interleaved one by one, so the three measure the same conditions.
import { performance } from 'node:perf_hooks';
import { createPasswordHasher } from '@portcullis/secrets';
import { median } from './shared.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 60);
const HOSTILE = '$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$JEQK6BeKkl9WaRSR1jSKGlzBq70Fddr/CElG5Qgtmw4';

async function time(op: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await op();
  return performance.now() - start;
}

async function main(): Promise<void> {
  // One computation at a time: the medians are of single calls, not of calls queued behind each other.
  const hasher = createPasswordHasher({ maxConcurrency: 1 });
  const stored = await hasher.hash('correct horse battery staple');
  for (let i = 0; i < 5; i++) await hasher.verify(stored, 'warm-up');
  const hash: number[] = [];
  const verify: number[] = [];
  const dummy: number[] = [];
  const hostile: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    hash.push(await time(() => hasher.hash('correct horse battery staple')));
    verify.push(
      await time(() => hasher.verify(stored, i % 2 === 0 ? 'correct horse battery staple' : 'wrong password')),
    );
    dummy.push(await time(() => hasher.verifyOrDummy(undefined, 'wrong password')));
    hostile.push(await time(() => hasher.verify(HOSTILE, 'wrong password')));
  }
  const m = { hash: median(hash), verify: median(verify), dummy: median(dummy), hostile: median(hostile) };
  const ratio = m.dummy / m.verify;
  const lines = [
    `@portcullis/secrets, argon2id m=19456 KiB t=2 p=1, ${ROUNDS} rounds, median ms`,
    `| measurement | median | goal | met |`,
    `| --- | --- | --- | --- |`,
    `| hash | ${m.hash.toFixed(2)} ms | ≤ 50 ms | ${m.hash <= 50 ? 'yes' : 'no'} |`,
    `| verify | ${m.verify.toFixed(2)} ms | ≤ 50 ms | ${m.verify <= 50 ? 'yes' : 'no'} |`,
    `| verifyOrDummy(undefined) | ${m.dummy.toFixed(2)} ms (${ratio.toFixed(2)}× verify) | 0.80–1.20× verify | ${ratio >= 0.8 && ratio <= 1.2 ? 'yes' : 'no'} |`,
    `| verify of a hostile m=4194304 string | ${m.hostile.toFixed(3)} ms | < 5 ms | ${m.hostile < 5 ? 'yes' : 'no'} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
