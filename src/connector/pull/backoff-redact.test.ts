import { backoffDelayMs, parseRetryAfterMs } from './backoff';
import { redactText, redactUrl, stripSecretParams } from './redact';

test('backoff doubles per attempt within [d/2, d] and stops at the cap', () => {
  const policy = { baseDelayMs: 1000, maxDelayMs: 8000 };
  expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, policy, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  expect([1, 2, 3].map((a) => backoffDelayMs(a, policy, () => 0))).toEqual([500, 1000, 2000]);
});

test('Retry-After in seconds or as an HTTP date', () => {
  const now = Date.UTC(2026, 10, 20, 12, 0, 0);
  expect(parseRetryAfterMs('30', now)).toBe(30_000);
  expect(parseRetryAfterMs('Fri, 20 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
  expect(parseRetryAfterMs('soon', now)).toBeNull();
  expect(parseRetryAfterMs(null, now)).toBeNull();
});

test('secrets are removed from URLs and from upstream text', () => {
  expect(redactUrl('https://graph.facebook.com/v25.0/1?fields=x&access_token=EAAB123&after=Q')).toBe(
    'https://graph.facebook.com/v25.0/1?fields=x&access_token=[redacted]&after=Q',
  );
  expect(redactText('token EAAB123 rejected', ['EAAB123'])).toBe('token [redacted] rejected');
  const stripped = stripSecretParams(new URL('https://graph.facebook.com/v25.0/1?access_token=EAAB123&after=Q'));
  expect(stripped.toString()).toBe('https://graph.facebook.com/v25.0/1?after=Q');
});
