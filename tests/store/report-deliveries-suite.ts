/**
 * The report lease and status tables of `ConnectorStore` (migration 012), one behaviour for both
 * adapters (run from sqlite.test.ts and postgres.test.ts): a period is claimed by one replica at a
 * time, a sent period is never claimed again (unless forced), a failed one waits for its retry time,
 * and a claim that was lost cannot mark anything. Not a test file itself.
 */
import type { ConnectorStore } from '../../src/connector/store';
import type { StoreEngine } from './store-engine';

/** Two handles on one database, as two connector replicas have. */
type Opened = { a: ConnectorStore; b: ConnectorStore; close(): Promise<void> };

const P = '2026-10-01..2026-10-31';
const T0 = Date.UTC(2026, 10, 1, 10, 0);
const LEASE = 600_000;

export function describeReportDeliveryBehaviour(engine: StoreEngine): void {
  describe(`${engine.name}: report deliveries`, () => {
    let s: Opened | null = null;
    const open = async (): Promise<Opened> => {
      const a = await engine.open({ timezones: {} });
      const b = await engine.openSame(a, { timezones: {} });
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await b.close();
        },
      };
    };
    afterEach(async () => {
      await s?.close();
      s = null;
    });

    it('one claim per period at a time; an expired claim can be taken over and then the stale holder cannot mark it', async () => {
      s = await open();
      const first = await s.a.claimReportPeriod({ report: 'r', period: P, claimId: 'c1', nowMs: T0, leaseMs: LEASE });
      expect(first).toEqual({
        report: 'r',
        period: P,
        state: 'claimed',
        attempts: 1,
        leaseUntilMs: T0 + LEASE,
        sentAtMs: null,
        lastError: null,
      });
      expect(await s.b.claimReportPeriod({ report: 'r', period: P, claimId: 'c2', nowMs: T0 + LEASE - 1, leaseMs: LEASE })).toBeNull();
      // Another report and another period are independent.
      expect(await s.b.claimReportPeriod({ report: 'other', period: P, claimId: 'c3', nowMs: T0, leaseMs: LEASE })).not.toBeNull();
      expect(
        await s.b.claimReportPeriod({ report: 'r', period: '2026-11-01..2026-11-30', claimId: 'c4', nowMs: T0, leaseMs: LEASE }),
      ).not.toBeNull();
      const taken = await s.b.claimReportPeriod({ report: 'r', period: P, claimId: 'c5', nowMs: T0 + LEASE, leaseMs: LEASE });
      expect(taken).toMatchObject({ state: 'claimed', attempts: 2, leaseUntilMs: T0 + 2 * LEASE });
      expect(await s.a.completeReportPeriod({ report: 'r', period: P, claimId: 'c1', nowMs: T0 + LEASE + 5 })).toBe(false);
      expect(await s.a.failReportPeriod({ report: 'r', period: P, claimId: 'c1', retryAtMs: T0, error: 'x' })).toBe(false);
      expect(await s.b.completeReportPeriod({ report: 'r', period: P, claimId: 'c5', nowMs: T0 + LEASE + 7 })).toBe(true);
      expect(await s.a.reportDelivery('r', P)).toEqual({
        report: 'r',
        period: P,
        state: 'sent',
        attempts: 2,
        leaseUntilMs: T0 + LEASE + 7,
        sentAtMs: T0 + LEASE + 7,
        lastError: null,
      });
    });

    it('a sent period is never claimed again, except with force', async () => {
      s = await open();
      await s.a.claimReportPeriod({ report: 'r', period: P, claimId: 'c1', nowMs: T0, leaseMs: LEASE });
      await s.a.completeReportPeriod({ report: 'r', period: P, claimId: 'c1', nowMs: T0 + 1000 });
      const later = T0 + 365 * 86_400_000;
      expect(await s.b.claimReportPeriod({ report: 'r', period: P, claimId: 'c2', nowMs: later, leaseMs: LEASE })).toBeNull();
      expect(
        await s.b.claimReportPeriod({ report: 'r', period: P, claimId: 'c3', nowMs: later, leaseMs: LEASE, force: true }),
      ).toMatchObject({
        state: 'claimed',
        attempts: 2,
      });
      // Forced or not, a live claim is respected.
      expect(
        await s.a.claimReportPeriod({ report: 'r', period: P, claimId: 'c4', nowMs: later + 1, leaseMs: LEASE, force: true }),
      ).toBeNull();
    });

    it('a failed period waits for its retry time and keeps the error', async () => {
      s = await open();
      await s.a.claimReportPeriod({ report: 'r', period: P, claimId: 'c1', nowMs: T0, leaseMs: LEASE });
      expect(
        await s.a.failReportPeriod({ report: 'r', period: P, claimId: 'c1', retryAtMs: T0 + 60_000, error: '550 mailbox unavailable' }),
      ).toBe(true);
      expect(await s.b.reportDelivery('r', P)).toMatchObject({
        state: 'failed',
        attempts: 1,
        leaseUntilMs: T0 + 60_000,
        lastError: '550 mailbox unavailable',
      });
      expect(await s.b.claimReportPeriod({ report: 'r', period: P, claimId: 'c2', nowMs: T0 + 59_999, leaseMs: LEASE })).toBeNull();
      expect(await s.b.claimReportPeriod({ report: 'r', period: P, claimId: 'c3', nowMs: T0 + 60_000, leaseMs: LEASE })).toMatchObject({
        state: 'claimed',
        attempts: 2,
        lastError: '550 mailbox unavailable',
      });
      expect(await s.a.reportDelivery('r', '2026-12-01..2026-12-31')).toBeNull();
    });

    it('two replicas claiming the same periods at the same instant: exactly one wins each', async () => {
      s = await open();
      const periods = Array.from(
        { length: 20 },
        (_, i) => `2026-${String((i % 12) + 1).padStart(2, '0')}-01..2027-01-${String(i + 1).padStart(2, '0')}`,
      );
      const results = await Promise.all(
        periods.flatMap((period, i) => [
          s!.a.claimReportPeriod({ report: 'race', period, claimId: `a${i}`, nowMs: T0, leaseMs: LEASE }),
          s!.b.claimReportPeriod({ report: 'race', period, claimId: `b${i}`, nowMs: T0, leaseMs: LEASE }),
        ]),
      );
      for (let i = 0; i < periods.length; i++) expect([results[2 * i], results[2 * i + 1]].filter((r) => r !== null)).toHaveLength(1);
    });

    it('the status row keeps fields a later patch does not name', async () => {
      s = await open();
      await s.a.recordReportRun('weekly', { nextRunAtMs: T0 });
      await s.a.recordReportRun('monthly', { lastRunAtMs: T0, lastError: '421 try later', lastErrorAtMs: T0 });
      await s.b.recordReportRun('monthly', { lastRunAtMs: T0 + 5, lastSuccessAtMs: T0 + 5, lastPeriod: P, nextRunAtMs: T0 + 9 });
      expect(await s.a.reportRuns()).toEqual([
        {
          report: 'monthly',
          lastRunAtMs: T0 + 5,
          lastSuccessAtMs: T0 + 5,
          lastPeriod: P,
          nextRunAtMs: T0 + 9,
          lastError: '421 try later',
          lastErrorAtMs: T0,
        },
        {
          report: 'weekly',
          lastRunAtMs: null,
          lastSuccessAtMs: null,
          lastPeriod: null,
          nextRunAtMs: T0,
          lastError: null,
          lastErrorAtMs: null,
        },
      ]);
    });
  });
}
