// Option validation: bad values and unknown keys throw at creation, options are never mutated.
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DEFAULT_REDACT_PATHS, createLogger, requestLogger } from '@portcullis/logging';
import { capture, capturedLogger } from './helpers.js';

describe('createLogger options', () => {
  it.each([
    [
      'an unknown key (typo)',
      { levle: 'info' },
      /"levle" is not a known option \(got "info"\); did you mean "level"\?/,
    ],
    ['an invalid level', { level: 'verbose' }, /"level" must be one of/],
    ['a numeric level', { level: 30 }, /"level" must be one of/],
    ['a destination without write()', { destination: {} }, /"destination" must be a stream/],
    ['a string destination', { destination: '/tmp/x.log' }, /"destination" must be a stream/],
    ['extraRedactPaths as a string', { extraRedactPaths: 'user.ssn' }, /"extraRedactPaths" must be an array/],
    ['an empty redact path', { extraRedactPaths: [''] }, /"extraRedactPaths" must hold non-empty strings/],
    ['a non-string redact path', { extraRedactPaths: [42] }, /"extraRedactPaths" must hold non-empty strings/],
    ['a malformed redact path', { extraRedactPaths: ['a[b'] }, /"extraRedactPaths" was rejected by pino/],
    [
      'extraSensitiveKeys with null',
      { extraSensitiveKeys: [null] },
      /"extraSensitiveKeys" must hold non-empty strings/,
    ],
    [
      'a sensitive key of punctuation only',
      { extraSensitiveKeys: ['---'] },
      /"extraSensitiveKeys" entries need at least one ASCII letter or digit/,
    ],
    ['base as an array', { base: [] }, /"base" must be an object or null/],
    ['base as a string', { base: 'svc' }, /"base" must be an object or null/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => createLogger(options as never)).toThrow(TypeError);
    expect(() => createLogger(options as never)).toThrow(message);
    expect(() => createLogger(options as never)).toThrow(/^@portcullis\/logging: /);
  });

  it.each([null, 'info', 42, []])('rejects options that are not an object: %j', (options) => {
    expect(() => createLogger(options as never)).toThrow(
      /^@portcullis\/logging: "options" must be a plain object \(got /,
    );
  });

  it('accepts frozen options and does not mutate them', () => {
    const out = capture();
    const options = Object.freeze({
      level: 'debug' as const,
      destination: out.destination,
      extraRedactPaths: Object.freeze<string[]>(['user.ssn']),
      extraSensitiveKeys: Object.freeze<string[]>(['tenantSecretHint']),
      base: Object.freeze({ service: 'api' }),
    });
    const logger = createLogger(options);
    logger.debug({ user: { ssn: 'SsnValue1' }, deep: { a: { TENANT_SECRET_HINT: 'HintValue1' } } }, 'frozen');
    const [line] = out.entries();
    expect(line).toMatchObject({
      service: 'api',
      user: { ssn: '[REDACTED]' },
      deep: { a: { TENANT_SECRET_HINT: '[REDACTED]' } },
    });
    expect(options.base).toEqual({ service: 'api' });
  });

  it('treats { x: undefined } like an absent option', () => {
    const a = capture();
    const b = capture();
    createLogger({ destination: a.destination, level: undefined, base: undefined, extraRedactPaths: undefined }).info(
      'x',
    );
    createLogger({ destination: b.destination }).info('x');
    expect(Object.keys(a.entries()[0]!)).toEqual(Object.keys(b.entries()[0]!));
    expect(a.entries()[0]!.level).toBe(30);
  });

  it('drops pid and hostname with base: null, and scrubs base fields', () => {
    const { logger, out } = capturedLogger({ base: { service: 'api', deploy: { apiKey: 'BaseKeyValue' } } });
    logger.info('x');
    const line = out.entries()[0]!;
    expect(line).toMatchObject({ service: 'api', deploy: { apiKey: '[REDACTED]' } });
    expect(out.text()).not.toContain('BaseKeyValue');
    const none = capturedLogger({ base: null });
    none.logger.info('y');
    expect(none.out.entries()[0]).not.toHaveProperty('pid');
  });

  it('keeps a non-string message as it is', () => {
    const { logger, out } = capturedLogger({ base: null });
    logger.info(42);
    expect(out.entries()[0]!.msg).toBe(42);
  });

  it('honours the level', () => {
    const { logger, out } = capturedLogger({ level: 'warn' });
    logger.info('hidden');
    logger.warn('shown');
    expect(out.entries().map((e) => e.msg)).toEqual(['shown']);
  });

  it('exports the default redact paths, frozen', () => {
    expect(DEFAULT_REDACT_PATHS).toContain('req.headers.authorization');
    expect(DEFAULT_REDACT_PATHS).toContain('res.headers["set-cookie"]');
    expect(DEFAULT_REDACT_PATHS).toContain('*.client_secret');
    expect(Object.isFrozen(DEFAULT_REDACT_PATHS)).toBe(true);
  });
});

describe('requestLogger options', () => {
  const { logger } = capturedLogger();
  it.each([
    ['no options', undefined, /"logger" must be a logger made by createLogger\(\) \(got undefined\)/],
    ['a missing logger', {}, /"logger" must be a logger made by createLogger/],
    [
      'a plain pino logger (no redaction layers)',
      { logger: pino({ enabled: false }) },
      /"logger" must be a logger made by createLogger/,
    ],
    [
      'an unknown key',
      { logger, quietRoute: ['/health'] },
      /"quietRoute" is not a known option \(got an array of 1\); did you mean "quietRoutes"\?/,
    ],
    [
      'a non-boolean trustIncomingRequestId',
      { logger, trustIncomingRequestId: 'yes' },
      /"trustIncomingRequestId" must be a boolean/,
    ],
    ['quietRoutes as a string', { logger, quietRoutes: 'GET /health' }, /"quietRoutes" must be an array/],
    [
      'a quiet route without a leading slash',
      { logger, quietRoutes: ['GET health'] },
      /"quietRoutes" entries must look like/,
    ],
    ['a quiet route with a query', { logger, quietRoutes: ['/health?x=1'] }, /"quietRoutes" entries must look like/],
    ['a lower-case method', { logger, quietRoutes: ['get /health'] }, /"quietRoutes" entries must look like/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => requestLogger(options as never)).toThrow(TypeError);
    expect(() => requestLogger(options as never)).toThrow(message);
  });

  it('accepts a child of a createLogger logger and frozen options', () => {
    const options = Object.freeze({
      logger: logger.child({ component: 'http' }),
      quietRoutes: Object.freeze<string[]>(['GET /health']),
    });
    const middleware = requestLogger(options);
    expect(typeof middleware).toBe('function');
    expect(middleware.name).toBe('portcullisRequestLogger');
  });

  it('treats { x: undefined } like an absent option', () => {
    expect(() => requestLogger({ logger, quietRoutes: undefined, trustIncomingRequestId: undefined })).not.toThrow();
  });
});
