// The fast paths of ipBucket (IPv4 as is, "::ffff:a.b.c.d" without parsing, socket address when trust proxy is off)
// give exactly express-rate-limit's ipKeyGenerator(ip, 56) bucket for every address.
import fc from 'fast-check';
import { ipKeyGenerator } from 'express-rate-limit';
import { describe, expect, it } from 'vitest';
import { ipBucket, type KeyRequest } from '../src/keys.js';

function fakeReq(remoteAddress: string | undefined, trust: unknown, ip?: string): KeyRequest {
  return { app: { get: () => trust }, socket: { remoteAddress }, ip } as unknown as KeyRequest;
}
const never = (): void => {
  throw new Error('onPermissive must not be called');
};
const mapped = fc.ipV4().map((v4) => `::ffff:${v4}`);
const anyAddress = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  mapped,
  fc.ipV4().map((v4) => `::FFFF:${v4}`),
  fc.constantFrom('::1', '::', '::ffff:7f00:1', '::127.0.0.1'),
);

describe('ipBucket', () => {
  it('buckets every IPv4, IPv6 and IPv4-mapped address exactly as ipKeyGenerator(ip, 56) does (no fast path changes a bucket)', () => {
    fc.assert(
      fc.property(anyAddress, (ip) => {
        expect(ipBucket(fakeReq(ip, false), never)).toBe(ipKeyGenerator(ip, 56));
        expect(ipBucket(fakeReq('198.51.100.1', 1, ip), never)).toBe(ipKeyGenerator(ip, 56));
      }),
      { numRuns: 500 },
    );
  });

  it('keeps giving the right /56 bucket to a client rotating through more IPv6 addresses than the memo holds', () => {
    for (let i = 0; i < 5_000; i += 1) {
      const ip = `2001:db8:${(i % 300).toString(16)}:${i.toString(16)}::${(i % 7).toString(16)}`;
      expect(ipBucket(fakeReq(ip, false), never)).toBe(ipKeyGenerator(ip, 56));
    }
    expect(ipBucket(fakeReq('2001:db8:0:1::1', false), never)).toBe(
      ipBucket(fakeReq('2001:db8:0:ff::2', false), never),
    );
  });

  it.each([
    {
      title: 'trust proxy off: the socket address counts (what req.ip of Express is then), whatever req.ip holds',
      req: fakeReq('::ffff:192.0.2.7', false, '203.0.113.9'),
      bucket: '192.0.2.7',
    },
    {
      title: 'trust proxy hops: req.ip (from X-Forwarded-For via Express) counts',
      req: fakeReq('192.0.2.7', 1, '203.0.113.9'),
      bucket: '203.0.113.9',
    },
    {
      title: 'an invalid req.ip falls back to the socket address',
      req: fakeReq('192.0.2.7', 1, 'not-an-ip'),
      bucket: '192.0.2.7',
    },
    { title: 'a destroyed socket shares the "unknown" bucket', req: fakeReq(undefined, false), bucket: 'unknown' },
    {
      title: 'a mapped-looking but invalid suffix is not taken as IPv4',
      req: fakeReq('::ffff:7f00:1', false),
      bucket: '127.0.0.1',
    },
  ])('$title', ({ req, bucket }) => {
    expect(ipBucket(req, never)).toBe(bucket);
  });
});
