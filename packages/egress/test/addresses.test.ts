// The address table against an independent oracle: ipaddr.js range() for random IPv4/IPv6, plus the ranges we add to it.
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { createAddressTable, ipv6Bytes, normaliseAddress, parseCidr } from '../src/addresses.js';

const table = createAddressTable([], []);

function oracleIsPublic(text: string): boolean {
  let addr = ipaddr.parse(text);
  // IPv4-mapped addresses are judged by their IPv4 address (as the table does).
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress())
    addr = (addr as ipaddr.IPv6).toIPv4Address();
  return addr.range() === 'unicast';
}

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((o) => o.join('.'));
const ipv6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((g) => g.map((x) => x.toString(16)).join(':'));
// Biased toward the interesting prefixes, so special ranges are hit often.
const prefixed = fc
  .tuple(fc.constantFrom(0, 0x64, 0x100, 0x2001, 0x2002, 0x2620, 0x3fff, 0xfc00, 0xfe80, 0xfec0, 0xff00, 0x2400), ipv6)
  .map(([p, rest]) => [p.toString(16), ...rest.split(':').slice(1)].join(':'));
const mapped = ipv4.map((v4) => `::ffff:${v4}`);

describe('the address table denies everything ipaddr.js does not call unicast [ASVS V1.3.6]', () => {
  it.each([
    ['IPv4', ipv4],
    ['IPv6', ipv6],
    ['IPv6 with special prefixes', prefixed],
    ['IPv4-mapped IPv6', mapped],
  ])('%s', (_name, arb) => {
    fc.assert(
      fc.property(arb, (address) => {
        const verdict = table.classify(address);
        if (!oracleIsPublic(address)) expect(verdict).toBe('internal');
      }),
      { numRuns: 3000 },
    );
  });

  it('and IPv4 addresses the oracle calls unicast are public unless in the extra table', () => {
    fc.assert(
      fc.property(ipv4, (address) => {
        if (oracleIsPublic(address) && !ipaddr.parse(address).match(ipaddr.parseCIDR('168.63.129.16/32'))) {
          expect(table.classify(address)).toBe('public');
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the extra table (denied although ipaddr.js calls them unicast)', () => {
  it.each([
    ['168.63.129.16', 'Azure wire server'],
    ['4000::1', 'IPv6 outside 2000::/3'],
    ['::a9fe:a9fe', 'IPv4-compatible metadata'],
    ['8000::1', 'IPv6 outside 2000::/3'],
    ['1::1', 'IPv6 outside 2000::/3'],
  ])('denies %s (%s)', (address) => {
    expect(table.classify(address)).toBe('internal');
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '2a00:1450::1', '::ffff:8.8.8.8', '::ffff:808:808'])(
    'calls %s public (classification only, nothing connects)',
    (address) => {
      expect(table.classify(address)).toBe('public');
    },
  );
});

describe('allow and deny lists', () => {
  const custom = createAddressTable(
    [parseCidr('10.1.0.0/16')!, parseCidr('fd00::/8')!],
    [parseCidr('10.1.2.0/24')!, parseCidr('8.8.8.8')!],
  );
  it.each([
    ['10.1.3.4', 'allowed'],
    ['::ffff:10.1.3.4', 'allowed'],
    ['10.1.2.3', 'denied'],
    ['8.8.8.8', 'denied'],
    ['fd00::1', 'allowed'],
    ['10.2.0.1', 'internal'],
    ['not-an-ip', 'invalid'],
    ['fe80::1%eth0', 'invalid'],
  ])('%s is %s', (address, verdict) => {
    expect(custom.classify(address)).toBe(verdict);
  });
});

describe('IPv6 parsing', () => {
  it.each([
    ['::ffff:127.0.0.2', '127.0.0.2'],
    ['0:0:0:0:0:ffff:7f00:2', '127.0.0.2'],
    ['::FFFF:7F00:2', '127.0.0.2'],
    ['::1', '0:0:0:0:0:0:0:1'],
    ['2001:DB8::1', '2001:db8:0:0:0:0:0:1'],
    ['::127.0.0.2', '0:0:0:0:0:0:7f00:2'],
  ])('normalises %s to %s', (input, out) => {
    expect(normaliseAddress(input)?.address).toBe(out);
  });

  it('agrees with ipaddr.js on random addresses', () => {
    fc.assert(
      fc.property(ipv6, (text) => {
        expect(Array.from(ipv6Bytes(text) ?? [])).toEqual(ipaddr.IPv6.parse(text).toByteArray());
      }),
    );
  });

  it.each(['', '1.2.3', 'x::1', '1.2.3.4/33', '::/129', '::/x'])('refuses %j as a CIDR', (text) => {
    expect(parseCidr(text)).toBeNull();
  });
});
