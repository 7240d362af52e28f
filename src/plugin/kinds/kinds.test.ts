import { z } from 'zod';
import { createDefaultQuery, createEmptyFilters } from '../query/defaults';
import { parseQuery } from '../query/schema';
import { runQuery, type FetchJson } from '../query/run-query';
import { QUERY_KINDS, type ExactlyTheKinds, type QueryKind } from '../query/types';
import { withKind } from '../components/query-edit';
import { queryDisplayText } from '../query/display-text';
import { KINDS, kindSpec, ownFieldNames, type KindSpec, type KindTable } from './index';

// Compile-time half of "a kind is one entry": `tsc --noEmit` fails if any of these stop being errors.
{
  const { tiers: _tiers, ...withoutTiers } = KINDS;
  // @ts-expect-error a table without the tiers entry is not a KindTable
  const missing: KindTable = withoutTiers;
  // @ts-expect-error an entry holding another kind's spec
  const swapped: KindTable = { ...KINDS, cost: KINDS.messages };
  // @ts-expect-error an entry for a kind QUERY_KINDS does not name
  const extra: KindTable = { ...KINDS, forecast: KINDS.cost };
  // @ts-expect-error the own-fields map must name every kind (here tiers is missing)
  type MissingFields = ExactlyTheKinds<Omit<Record<QueryKind, object>, 'tiers'>>;
  // @ts-expect-error a spec's defaults are typed with its kind's own fields
  const wrongDefaults: KindSpec<'billing'> = { ...KINDS.billing, defaults: { metric: 'sent_messages' } };
  void [missing, swapped, extra, wrongDefaults, null as unknown as MissingFields];
}

const RANGE = { fromMs: Date.UTC(2026, 2, 1), toMs: Date.UTC(2026, 2, 3) };

describe('KINDS: every query kind is one complete entry', () => {
  it('has exactly the kinds of QUERY_KINDS, each entry naming its own key', () => {
    expect(Object.keys(KINDS).sort()).toEqual([...QUERY_KINDS].sort());
    for (const kind of QUERY_KINDS) expect(KINDS[kind].kind).toBe(kind);
  });

  it.each(QUERY_KINDS)('%s has a label, description, display name, editor fields, requests and frames', (kind) => {
    const spec = kindSpec(kind);
    expect(spec.label.trim()).not.toBe('');
    expect(spec.description.trim()).not.toBe('');
    expect(spec.text.name.trim()).not.toBe('');
    expect(typeof spec.requests).toBe('function');
    expect(typeof spec.frames).toBe('function');
    expect(typeof spec.editor.groupBy).toBe('function');
    for (const flag of [spec.editor.source, spec.editor.interval, spec.editor.compare, spec.text.interval])
      expect(typeof flag).toBe('boolean');
    for (const field of spec.editor.fields) {
      expect(['kind', 'options', 'scenario']).toContain(field.row);
      expect(field.ariaLabel.trim()).not.toBe('');
      if (field.control === 'radio') expect(field.options.length).toBeGreaterThan(1);
    }
  });

  it.each(QUERY_KINDS)('%s: the defaults are what its schema fills in, and a new query of the kind validates', (kind) => {
    const spec = kindSpec(kind);
    expect(z.object(spec.schema).parse({})).toEqual(spec.defaults);
    const query = withKind(createDefaultQuery('A'), kind);
    expect(query.kind).toBe(kind);
    expect(parseQuery(query)).toEqual(query);
  });

  it('labels are distinct, so the kind picker never shows two alike', () => {
    const labels = QUERY_KINDS.map((k) => KINDS[k].label);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("switching kind drops the other kinds' own fields and adds the new kind's", () => {
    expect(ownFieldNames().sort()).toEqual(
      ['band', 'metric', 'moveShare', 'moveTo', 'overrides', 'period', 'priceFiles', 'ruleShifts', 'scenarioName'].sort(),
    );
    const billing = { ...withKind(createDefaultQuery('A'), 'billing'), metric: 'unique_contacts' as const };
    const projection = withKind(billing, 'projection');
    expect(projection).toEqual({ ...createDefaultQuery('A'), kind: 'projection', band: true });
    expect('metric' in projection).toBe(false);
  });

  it('the display text is built from the entry: name, detail, source and interval as the kind uses them', () => {
    const base = { ...createDefaultQuery('A'), filters: { ...createEmptyFilters(), waba: ['$waba'] } };
    expect(queryDisplayText({ ...base, kind: 'billing', metric: 'unique_contacts' })).toBe(
      'Billing (unique contacts) · source estimate · by category · waba = $waba · per day',
    );
    expect(queryDisplayText({ ...base, kind: 'tiers' })).toBe('Volume tiers · by category · waba = $waba');
    expect(queryDisplayText({ ...base, kind: 'reconciliation', interval: 'month' })).toBe(
      'Reconciliation · by category · waba = $waba · per month',
    );
  });
});

describe("a kind's own load", () => {
  // The tiers entry with a load added for the test: plans its request as usual, fetches it, then a
  // second resource that depends on the first answer, and its frames see what load returned.
  it('gets the planned requests, a getJson bound to the abort signal, and hands its responses to frames', async () => {
    const seen: Array<{ path: string; search: string; signal: AbortSignal }> = [];
    const fetchJson: FetchJson = async (path, search, signal) => {
      seen.push({ path, search, signal });
      return path === '/api/v1/tiers' ? { next: '/api/v1/prices' } : { price: 7 };
    };
    const original = KINDS.tiers;
    const framesSaw: unknown[] = [];
    const patched: KindSpec<'tiers'> = {
      ...original,
      async load({ requests, getJson, fetchPlanned }) {
        expect(requests.map((r) => r.path)).toEqual(['/api/v1/tiers']);
        const planned = await fetchPlanned();
        const next = (planned.get('main') as { next: string }).next;
        return new Map([...planned, ['prices', await getJson(next, 'month=2026-03')]]);
      },
      frames(query, responses) {
        framesSaw.push(responses.get('main'), responses.get('prices'));
        return [];
      },
    };
    (KINDS as { tiers: KindSpec<'tiers'> }).tiers = patched;
    try {
      const controller = new AbortController();
      const stored = { ...createDefaultQuery('A'), kind: 'tiers' };
      await expect(runQuery(stored, RANGE, { fetchJson, replace: (t) => t, timeZone: 'UTC', signal: controller.signal })).resolves.toEqual(
        [],
      );
      expect(seen.map((s) => [s.path, s.search])).toEqual([
        ['/api/v1/tiers', 'month=2026-03'],
        ['/api/v1/prices', 'month=2026-03'],
      ]);
      expect(seen.every((s) => s.signal === controller.signal)).toBe(true);
      expect(framesSaw).toEqual([{ next: '/api/v1/prices' }, { price: 7 }]);
    } finally {
      (KINDS as { tiers: KindSpec<'tiers'> }).tiers = original;
    }
  });
});
