// createEgressPolicy options: every bad value refused at creation, naming the option; empty forms behave alike.
import { describe, expect, it } from 'vitest';
import { createEgressPolicy, type EgressPolicyOptions } from '../src/index.js';

const good: EgressPolicyOptions = { hosts: ['api.partner.example'] };

describe('createEgressPolicy refuses bad options at creation', () => {
  it.each<[string, unknown, RegExp]>([
    ['no options', undefined, /"hosts" is required/],
    ['a non-object', 'public', /"options" must be a plain object/],
    [
      'an unknown key',
      { hosts: 'public', maxRedirect: 1 },
      /"maxRedirect" is not a known option.*did you mean "maxRedirects"/,
    ],
    ['hosts "*"', { hosts: ['*'] }, /"hosts\[0\]" is not a host name/],
    ['hosts empty', { hosts: [] }, /"hosts" must be "public" or a non-empty array/],
    ['hosts a string', { hosts: 'api.example.com' }, /"hosts" must be "public"/],
    ['hosts with a scheme', { hosts: ['https://api.example.com'] }, /"hosts\[0\]" is not a host name/],
    ['hosts with a port', { hosts: ['api.example.com:443'] }, /"hosts\[0\]"/],
    ['hosts with a trailing dot', { hosts: ['api.example.com.'] }, /"hosts\[0\]"/],
    ['a wildcard over a TLD', { hosts: ['*.com'] }, /top-level domain/],
    ['a wildcard over a public suffix', { hosts: ['*.co.uk'] }, /public suffix/],
    ['a wildcard over a private public suffix', { hosts: ['*.github.io'] }, /public suffix/],
    ['a wildcard in the middle', { hosts: ['a.*.example.com'] }, /"hosts\[0\]"/],
    ['a double wildcard', { hosts: ['*.*.example.com'] }, /one-label wildcard/],
    ['a non-string host', { hosts: [42] }, /"hosts\[0\]" must be a string/],
    ['protocol file:', { ...good, protocols: ['file:'] }, /"protocols\[0\]" must be "https:" or "http:"/],
    ['protocol data:', { ...good, protocols: ['data:'] }, /never allowed/],
    ['protocol ws:', { ...good, protocols: ['ws:'] }, /never allowed/],
    ['protocols empty', { ...good, protocols: [] }, /"protocols" must be a non-empty array/],
    ['port 0', { ...good, ports: [0] }, /"ports\[0\]" must be an integer from 1 to 65535/],
    ['port 65536', { ...good, ports: [65536] }, /"ports\[0\]"/],
    ['port "443"', { ...good, ports: ['443'] }, /"ports\[0\]"/],
    ['ports empty', { ...good, ports: [] }, /"ports" must be a non-empty array/],
    ['a bad CIDR', { ...good, allowAddresses: ['10.0.0.0/33'] }, /"allowAddresses\[0\]" is not a CIDR/],
    ['a name as CIDR', { ...good, denyAddresses: ['example.com'] }, /"denyAddresses\[0\]"/],
    ['CIDRs not an array', { ...good, allowAddresses: '10.0.0.0/8' }, /"allowAddresses" must be an array/],
    [
      'a resolver without resolve6',
      { ...good, resolver: { resolve4: () => Promise.resolve([]) } },
      /"resolver" must have/,
    ],
    ['mixedAnswers "allow"', { ...good, mixedAnswers: 'allow' }, /"mixedAnswers" must be "reject" or "filter"/],
    ['maxRedirects 11', { ...good, maxRedirects: 11 }, /"maxRedirects" must be an integer from 0 to 10/],
    ['maxRedirects -1', { ...good, maxRedirects: -1 }, /"maxRedirects"/],
    ['maxRedirects 1.5', { ...good, maxRedirects: 1.5 }, /"maxRedirects"/],
    ['timeouts not an object', { ...good, timeouts: 5 }, /"timeouts" must be a plain object/],
    ['an unknown timeout', { ...good, timeouts: { readMs: 5 } }, /"timeouts.readMs" is not a known option/],
    ['a zero timeout', { ...good, timeouts: { dnsMs: 0 } }, /"timeouts.dnsMs" must be an integer from 1/],
    ['NaN timeout', { ...good, timeouts: { totalMs: Number.NaN } }, /"timeouts.totalMs"/],
    ['maxResponseBytes 0', { ...good, maxResponseBytes: 0 }, /"maxResponseBytes" must be an integer/],
    ['ca not PEM', { ...good, ca: 'nope' }, /"ca" must be a PEM certificate/],
    ['onDecision not a function', { ...good, onDecision: 'log' }, /"onDecision" must be a function/],
  ])('refuses %s', (_title, options, message) => {
    expect(() => createEgressPolicy(options as EgressPolicyOptions)).toThrow(TypeError);
    expect(() => createEgressPolicy(options as EgressPolicyOptions)).toThrow(message);
  });

  it('names the package in every message', () => {
    expect(() => createEgressPolicy({ hosts: [] })).toThrow(/^@portcullis\/egress: /);
  });
});

describe('createEgressPolicy accepts', () => {
  it.each<[string, EgressPolicyOptions]>([
    ['a frozen options object', Object.freeze({ hosts: Object.freeze(['api.partner.example']) })],
    ['a wildcard over a registrable domain', { hosts: ['*.partner.example', '*.example.co.uk'] }],
    ['"public"', { hosts: 'public' }],
    ['IP literals', { hosts: ['203.0.114.1', '[2001:4860::1]', '2001:4860::2'] }],
    [
      'every option',
      {
        hosts: 'public',
        protocols: ['https:', 'http:'],
        ports: [443, 8443],
        allowAddresses: ['10.0.0.0/8'],
        denyAddresses: ['10.0.0.1'],
        mixedAnswers: 'filter',
        maxRedirects: 10,
        timeouts: { dnsMs: 1, connectMs: 1, headersMs: 1, bodyMs: 1, totalMs: 600_000 },
        maxResponseBytes: 1,
        onDecision: () => undefined,
      },
    ],
  ])('%s', (_title, options) => {
    expect(typeof createEgressPolicy(options).check).toBe('function');
  });

  it('treats { x: undefined } like {}', () => {
    const a = createEgressPolicy({ hosts: 'public' });
    const b = createEgressPolicy({
      hosts: 'public',
      protocols: undefined,
      ports: undefined,
      timeouts: undefined,
      maxRedirects: undefined,
    });
    for (const url of ['https://example.com/', 'http://example.com/', 'https://example.com:8443/']) {
      expect(JSON.stringify(a.check(url))).toBe(JSON.stringify(b.check(url)));
    }
  });

  it('defaults to https on 443 only; allowing http adds port 80', () => {
    const strict = createEgressPolicy({ hosts: ['example.com'] });
    expect(strict.check('https://example.com/').ok).toBe(true);
    const refused = strict.check('http://example.com/');
    expect(refused.ok ? 'pass' : refused.error.code).toBe('egress_protocol');
    const port = strict.check('https://example.com:8443/');
    expect(port.ok ? 'pass' : port.error.code).toBe('egress_port');
    const both = createEgressPolicy({ hosts: ['example.com'], protocols: ['https:', 'http:'] });
    expect(both.check('http://example.com/').ok).toBe(true);
  });

  it('never mutates the options', () => {
    const options = { hosts: ['api.partner.example'], timeouts: { dnsMs: 10 } };
    const copy = structuredClone(options);
    createEgressPolicy(options);
    expect(options).toEqual(copy);
  });

  it('matches one label under a wildcard, case-insensitively, with a trailing dot', () => {
    const p = createEgressPolicy({ hosts: ['*.partner.example'] });
    expect(p.check('https://A.Partner.Example./').ok).toBe(true);
    expect(p.check('https://partner.example/').ok).toBe(false);
    expect(p.check('https://a.b.partner.example/').ok).toBe(false);
  });
});
