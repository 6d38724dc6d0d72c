// Service-backed tests: skip with a printed notice when a service URL is unset, fail when REQUIRE_SERVICES=1.
import process from 'node:process';

/** True when CI demands every service-backed test to run (REQUIRE_SERVICES=1). */
export const servicesRequired = process.env['REQUIRE_SERVICES'] === '1';

/**
 * The URL in `envVar`, or undefined after printing why the tests that need it are skipped.
 * Under REQUIRE_SERVICES=1 a missing URL throws, so CI cannot silently skip.
 */
export function serviceUrl(envVar: 'DATABASE_URL' | 'REDIS_URL'): string | undefined {
  const value = process.env[envVar];
  if (value !== undefined && value !== '') return value;
  if (servicesRequired) throw new Error(`REQUIRE_SERVICES=1 but ${envVar} is not set`);
  process.stdout.write(`[portcullis] ${envVar} is not set: skipping the tests that need it\n`);
  return undefined;
}
