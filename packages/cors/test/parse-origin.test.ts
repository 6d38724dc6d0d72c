// parseOrigin: normalises real origins, returns null for everything else.
import { describe, expect, it } from 'vitest';
import { parseOrigin, MAX_ORIGIN_LENGTH } from '@portcullis/cors';

describe('parseOrigin', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['HTTPS://APP.EXAMPLE.COM', 'https://app.example.com'],
    ['https://app.example.com:443', 'https://app.example.com'],
    ['http://app.example.com:80', 'http://app.example.com'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['https://[0:0:0:0:0:0:0:1]', 'https://[::1]'],
    ['https://127.0.0.1', 'https://127.0.0.1'],
    ['https://xn--bcher-kva.example', 'https://xn--bcher-kva.example'],
  ])('normalises %s', (value, expected) => {
    expect(parseOrigin(value)).toBe(expected);
  });

  it.each([
    'null',
    '',
    'https://app.example.com/',
    'https://app.example.com/x',
    'https://app.example.com?',
    'https://app.example.com#',
    'https://u@app.example.com',
    ' https://app.example.com',
    'https://app.example.com\n',
    'https://app.exa\tmple.com',
    'https://app%2eexample.com',
    'https:app.example.com',
    'https:/app.example.com',
    'https://app.example.com:',
    'https://app.example.com:65536',
    'https://bücher.example',
    'ftp://app.example.com',
    'ws://app.example.com',
    'file:///etc/passwd',
    'data:text/html,hi',
    'blob:https://app.example.com/uuid',
    'javascript:alert(1)',
    `https://${'a'.repeat(MAX_ORIGIN_LENGTH)}.com`,
  ])('returns null for %j', (value) => {
    expect(parseOrigin(value)).toBeNull();
  });

  it.each([undefined, null, 42, {}, ['https://app.example.com']])('returns null for non-string %j', (value) => {
    expect(parseOrigin(value)).toBeNull();
  });
});
