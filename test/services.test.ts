// Proves the service contract: service-backed tests skip with a notice without their URL and fail under REQUIRE_SERVICES=1.
import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { serviceUrl } from '../test-support/services.js';

const redisUrl = serviceUrl('REDIS_URL');
const databaseUrl = serviceUrl('DATABASE_URL');

describe('services', () => {
  it.skipIf(redisUrl === undefined)('Redis at REDIS_URL answers PING', async () => {
    const client = new Redis(redisUrl ?? '', { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 });
    try {
      await client.connect();
      await expect(client.ping()).resolves.toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it.skipIf(databaseUrl === undefined)('PostgreSQL at DATABASE_URL answers SELECT 1', async () => {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      const result = await client.query<{ one: number }>('SELECT 1 AS one');
      expect(result.rows[0]?.one).toBe(1);
    } finally {
      await client.end().catch(() => undefined);
    }
  });
});
