// Counts WebCrypto signature checks (crypto.subtle.verify, which jose 6 uses for every JWS), so a
// test can prove a verified-token cache hit skipped the check without measuring time. Call at the top
// level of a test file: it spies before each test and restores every mock and the real clock after.
import { afterEach, beforeEach, vi, type MockInstance } from 'vitest';

export function countSignatureChecks(): () => number {
  let verify: MockInstance<(typeof crypto.subtle)['verify']> | undefined;
  beforeEach(() => {
    verify = vi.spyOn(crypto.subtle, 'verify');
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
  return () => verify?.mock.calls.length ?? 0;
}
