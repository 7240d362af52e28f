/**
 * Checks of the reliability harness itself (runs without the connector): the generators are
 * deterministic and realistic, signatures match Meta's scheme, totals add up exactly.
 */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { queryStringArb, webhookBodyArb } from '../helpers/fuzz-bodies';
import { buildStatusEvents, expectedTotals, signBody, statusEnvelope } from '../helpers/webhook-envelopes';
import { reportTotals, shuffleSeeded, sumDecimals } from './report-totals';

describe('reliability harness', () => {
  test('status events are seeded, unique per (wamid, status), and priced like Meta (sent + one of delivered/read)', () => {
    const a = buildStatusEvents(5, 3000, 'T');
    expect(buildStatusEvents(5, 3000, 'T')).toEqual(a);
    expect(new Set(a.map((e) => `${e.wamid}|${e.status}`)).size).toBe(a.length);
    const priced = new Map<string, string[]>();
    for (const e of a) if (e.withPricing) priced.set(e.wamid, [...(priced.get(e.wamid) ?? []), e.status]);
    for (const statuses of priced.values()) {
      expect(statuses[0]).toBe('sent');
      expect(statuses.filter((s) => s === 'delivered' || s === 'read').length).toBeLessThanOrEqual(1);
    }
    const totals = expectedTotals(a);
    expect(totals.messages).toBeGreaterThan(900);
    expect(totals.billable).toBeLessThan(totals.messages);
  });

  test('the envelope has the documented shape and the signature is sha256=HMAC(raw body)', () => {
    const [e] = buildStatusEvents(1, 1, 'T');
    const env = statusEnvelope([e!]) as {
      object: string;
      entry: { id: string; changes: { field: string; value: { statuses: { id: string }[] } }[] }[];
    };
    expect(env.object).toBe('whatsapp_business_account');
    expect(env.entry[0]?.changes[0]?.field).toBe('messages');
    expect(env.entry[0]?.changes[0]?.value.statuses[0]?.id).toBe(e!.wamid);
    const body = JSON.stringify(env);
    expect(signBody('s3cret', body)).toBe(`sha256=${crypto.createHmac('sha256', 's3cret').update(body).digest('hex')}`);
    expect(signBody('s3cret', body)).not.toBe(signBody('s3cret', `${body} `));
  });

  test('decimal totals are exact and report totals add rows', () => {
    expect(sumDecimals(['0.1', '0.2', null, '-0.05'])).toBe('0.25');
    expect(sumDecimals(['1234567.000001', '0.999999'])).toBe('1234568');
    expect(
      reportTotals(
        JSON.stringify([
          { messages: 2, billable: 1, cost: '0.0625' },
          { messages: 3, billable: 3, cost: null },
        ]),
      ),
    ).toEqual({ messages: 5, billable: 4, cost: '0.0625' });
    expect(reportTotals(JSON.stringify({ rows: [{ messages: 1, billable: 0, cost: '0' }] }))).toEqual({
      messages: 1,
      billable: 0,
      cost: '0',
    });
  });

  test('seeded shuffle is a deterministic permutation', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i);
    const s = shuffleSeeded(xs, 9);
    expect(shuffleSeeded(xs, 9)).toEqual(s);
    expect([...s].sort((x, y) => x - y)).toEqual(xs);
    expect(s).not.toEqual(xs);
  });

  test('the fuzz generators cover invalid JSON, deep nesting and huge bodies, and build valid request lines', () => {
    const bodies = fc.sample(webhookBodyArb, { numRuns: 2000, seed: 1 });
    const invalid = bodies.filter((b) => {
      try {
        JSON.parse(b);
        return false;
      } catch {
        return true;
      }
    });
    expect(invalid.length).toBeGreaterThan(100);
    expect(bodies.some((b) => b.startsWith('[[[[[[[[[[') || b.startsWith('{"a":{"a":'))).toBe(true);
    expect(bodies.some((b) => b.length > 1_000_000)).toBe(true);
    for (const qs of fc.sample(queryStringArb, { numRuns: 2000, seed: 2 })) expect(qs).not.toMatch(/[\s#\u0080-\uffff]/);
  });
});
