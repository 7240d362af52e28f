import { localDay, marketOf, monthOf, type Category, type PricingType } from '@core';
import { buildContacts, type ContactPool } from './contacts';
import type { DemoWaba } from './demo-wabas';
import { DEMO_TIER_LADDER } from './demo-rates';
import { Rng } from './rng';
import type { CallFact, SimEvent } from './sim-events';
import { TimeHeap } from './time-heap';

/** An action a WABA's simulation performs at a time (sends, replies, calls, system events). */
export type Action =
  | { kind: 'template'; contact: number; category: Category; tag: string | null; template: string }
  | { kind: 'inbound'; contact: number; referral: boolean }
  | { kind: 'reply'; contact: number; opensFep: boolean }
  | { kind: 'user_call'; contact: number }
  | { kind: 'business_call'; contact: number }
  | { kind: 'recategorise' };

/** Per-WABA state: contacts and their open windows (typed arrays: one slot per contact). */
export class WabaSim {
  readonly contacts: ContactPool;
  readonly cswUntil: Float64Array;
  readonly fepUntil: Float64Array;
  readonly referralUntil: Float64Array;
  readonly fepIds: (string | undefined)[];
  readonly actions = new TimeHeap<Action>();
  seq = 0;
  recategorised = false;

  constructor(
    readonly index: number,
    readonly waba: DemoWaba,
    contactCount: number,
    seed: string,
  ) {
    this.contacts = buildContacts(waba.audience, contactCount, new Rng(`${seed}|contacts|${waba.id}`));
    this.cswUntil = new Float64Array(contactCount);
    this.fepUntil = new Float64Array(contactCount);
    this.referralUntil = new Float64Array(contactCount);
    this.fepIds = new Array<string | undefined>(contactCount);
  }

  nextId(prefix: string): string {
    this.seq++;
    return `${prefix}${Buffer.from(`${this.waba.id}.${this.seq}`).toString('base64').replace(/=+$/, '')}`;
  }

  /** The phone number a send uses (weighted by the numbers' shares). */
  phoneIndex(rng: Rng): number {
    return rng.weighted(this.waba.phones.map((p, i) => [i, p.weight] as const));
  }
}

/** Everything shared across WABAs: the outgoing event stream and what Meta would count. */
export class SimShared {
  readonly out = new TimeHeap<SimEvent>();
  /** key: waba|day|phone|iso2|market|category|type -> delivered messages (Meta's day = delivery day). */
  readonly delivered = new Map<string, number>();
  readonly calls: CallFact[] = [];
  private readonly tierCounts = new Map<string, number>();

  constructor(
    readonly seed: string,
    readonly asOfMs: number,
  ) {}

  /** Queues an event as Meta delivers it: small jitter, ~3% late (out of order), ~1.5% sent twice. */
  emit(event: SimEvent, rng: Rng, duplicates = true): void {
    let arrival = event.atMs + 100 + rng.int(0, 2500);
    if (duplicates && rng.chance(0.03)) arrival += rng.int(5_000, 600_000);
    this.out.push(arrival, { ...event, arrivalMs: arrival });
    if (duplicates && rng.chance(0.015)) {
      const again = arrival + rng.int(30_000, 7_200_000);
      this.out.push(again, { ...event, arrivalMs: again });
    }
  }

  recordDelivered(
    sim: WabaSim,
    phoneIndex: number,
    atMs: number,
    recipient: string,
    category: Category,
    type: PricingType,
  ): { market: string; day: string } {
    const day = localDay(atMs, sim.waba.timezone);
    const info = marketOf(recipient, day);
    const key = `${sim.index}|${day}|${phoneIndex}|${info.iso2 ?? ''}|${info.market}|${category}|${type}`;
    this.delivered.set(key, (this.delivered.get(key) ?? 0) + 1);
    return { market: info.market, day };
  }

  /** Counts a charged tiered message for the portfolio; returns the tier entered, if a boundary was crossed. */
  countTiered(
    sim: WabaSim,
    market: string,
    column: 'utility' | 'authentication' | 'authentication_international',
    day: string,
  ): string | null {
    const key = `${sim.waba.portfolio}|${market}|${column}|${monthOf(day)}`;
    const n = (this.tierCounts.get(key) ?? 0) + 1;
    this.tierCounts.set(key, n);
    const ladder = DEMO_TIER_LADDER.find((t) => t.lower === n && n > 1);
    return ladder ? `${ladder.lower}:${ladder.upper ?? 'MAX'}` : null;
  }
}
