import { z } from 'zod';
import { addDays, addMonths, localDay, MOVE_TARGETS, monthOf, priceBookFromJson, type ScenarioPriceFile } from '@core';
import { API_PREFIX, priceBookResponse, priceFileResponse, priceFilesResponse, pricingInputQuery, wabasResponse } from '@contract';
import { connectorRequest, csv, filterParams, type Params, type TimeRangeMs } from '../api/connector-request';
import { parseResponse } from '../frames/parse-response';
import { parsePricingInput } from '../frames/pricing-input';
import { buildWhatIfFrames } from '../frames/what-if-frames';
import { WHAT_IF_PERIODS, type QueryOf, type WhatIfPeriod } from '../query/types';
import { scenarioFilesOf, selectPriceFiles, toScenario } from '../query/what-if-scenario';
import { allGroupings } from './shared';
import type { KindSpec, TextField } from './spec';

type WhatIfQuery = QueryOf<'what_if'>;

const PERIOD_LABEL: Record<WhatIfPeriod, string> = { range: 'Range', month: 'This month', previous_month: 'Last month' };

/** The days priced: the panel's range, or whole WABA-local days of a month named from the range's end. */
export function whatIfDays(period: WhatIfPeriod, range: TimeRangeMs, timeZone: string): Params {
  if (period === 'range') return { from: String(range.fromMs), to: String(range.toMs) };
  const today = localDay(range.toMs, timeZone);
  const month = monthOf(today);
  if (period === 'month') return { from: `${month}-01`, to: today };
  return { from: `${addMonths(month, -1)}-01`, to: addDays(`${month}-01`, -1) };
}

const text = (
  key: 'scenarioName' | 'priceFiles' | 'ruleShifts' | 'overrides' | 'moveShare',
  label: string,
  width: number,
  placeholder: string,
  tooltip: string,
): TextField<WhatIfQuery> => ({
  control: 'text',
  row: 'scenario',
  label,
  labelWidth: 14,
  width,
  placeholder,
  tooltip,
  ariaLabel: `What-if ${label.toLowerCase()}`,
  value: (query) => query[key],
  set: (query, value) => ({ ...query, [key]: value }),
});

const fileResponseKey = (name: string) => `priceFile:${name}`;

/**
 * What-if pricing: /pricing-input (unpriced counts at the pricing grain, prior units for tiers) and the
 * price book, priced in the browser with core's pricer as the connector prices them and under the
 * typed scenario; stored price files named in the scenario are fetched by name.
 */
export const whatIfKind: KindSpec<'what_if'> = {
  kind: 'what_if',
  label: 'What if',
  description: 'Actual cost next to a scenario: another price file, a rule from another day, overrides, service moved to templates',
  editor: {
    source: false,
    interval: true,
    compare: false,
    groupBy: allGroupings,
    fields: [
      {
        control: 'radio',
        row: 'kind',
        label: 'Period',
        labelWidth: 10,
        tooltip:
          'Range: the panel’s range. This month / Last month: whole WABA-local days of the month the range ends in, or the one before.',
        ariaLabel: 'What-if period',
        options: WHAT_IF_PERIODS.map((p) => ({ label: PERIOD_LABEL[p], value: p })),
        value: (query) => query.period,
        set: (query, value) => ({ ...query, period: value as WhatIfPeriod }),
      },
      text('scenarioName', 'Scenario', 24, 'Next quarter', 'Names the scenario’s series'),
      text(
        'priceFiles',
        'Price files',
        30,
        'latest',
        'Stored price files that price every day of the range instead of those in force: a file name, a day YYYY-MM-DD (every file imported with that --effective) or latest; comma-separated',
      ),
      text(
        'ruleShifts',
        'Rule changes',
        30,
        '2026-10-01@start',
        'RULE_DAY@FROM: the pricing-rules row of RULE_DAY (docs/pricing-rules.md) applied from FROM, a day or start (the first priced day); comma-separated',
      ),
      text(
        'overrides',
        'Overrides',
        36,
        'India/marketing +10%; */service =0.004',
        'MARKET/CATEGORY[/CURRENCY] +N% (of the priced cost) or =RATE (per charged unit); * = any; separated by ;',
      ),
      text(
        'moveShare',
        'Service moved %',
        10,
        '0',
        'Share of service replies sent as templates instead (0-100); may be a variable such as $share',
      ),
      {
        control: 'radio',
        row: 'scenario',
        label: 'Moved to',
        labelWidth: 10,
        tooltip: 'The template category the moved replies are sent as (a Flow sent as a template is priced as one)',
        ariaLabel: 'What-if moved to',
        options: MOVE_TARGETS.map((t) => ({ label: t, value: t })),
        value: (query) => query.moveTo,
        set: (query, value) => ({ ...query, moveTo: value }),
      },
    ],
  },
  schema: {
    period: z.enum(WHAT_IF_PERIODS).default('range'),
    scenarioName: z.string().max(200).default('Scenario'),
    priceFiles: z.string().max(2000).default(''),
    ruleShifts: z.string().max(2000).default(''),
    overrides: z.string().max(4000).default(''),
    moveShare: z.string().max(100).default(''),
    moveTo: z.string().max(40).default('utility'),
  },
  defaults: { period: 'range', scenarioName: 'Scenario', priceFiles: '', ruleShifts: '', overrides: '', moveShare: '', moveTo: 'utility' },
  // Pricing works on whole days: an hourly what-if has nothing finer to show.
  onSelect: (query) => (query.interval === 'hour' ? { ...query, interval: 'day' } : query),
  interpolate: (query, replace) => ({
    ...query,
    scenarioName: replace(query.scenarioName),
    priceFiles: replace(query.priceFiles),
    ruleShifts: replace(query.ruleShifts),
    overrides: replace(query.overrides),
    moveShare: replace(query.moveShare),
    moveTo: replace(query.moveTo),
  }),
  text: {
    name: 'What if',
    interval: true,
    detail: (query) => ` "${query.scenarioName}"${query.period === 'range' ? '' : ` (${PERIOD_LABEL[query.period].toLowerCase()})`}`,
  },
  requests(query, range, options) {
    // The compact form (docs/api.md): a month of a large sender is a fifth of the bytes to receive and parse.
    const params = {
      ...whatIfDays(query.period, range, options.timeZone),
      ...filterParams(query),
      by: csv(query.groupBy),
      format: 'columns',
    };
    const out = [
      connectorRequest('main', 'pricing-input', pricingInputQuery, params),
      connectorRequest('book', 'price-book', z.object({}), {}),
    ];
    // A WABA-local month starts at the WABA's own midnight: its zone comes from /wabas.
    if (query.interval === 'month') out.push(connectorRequest('wabas', 'wabas', z.object({}), {}));
    return out;
  },
  async load({ query, getJson, fetchPlanned }) {
    const files = query.priceFiles.trim();
    if (!files) return fetchPlanned();
    // The chosen files are asked for as soon as the list names them, while /pricing-input (the
    // panel's largest answer) is still on its way: one wait, not two in a row.
    const chosenFiles = getJson(`${API_PREFIX}/price-files`, '').then(async (list) => {
      const chosen = selectPriceFiles(files, parseResponse(priceFilesResponse, list, 'price-files').items);
      const names = [...new Set(chosen.map((f) => f.name))];
      const bodies = await Promise.all(names.map((n) => getJson(`${API_PREFIX}/price-files/${encodeURIComponent(n)}`, '')));
      return { list, names, bodies };
    });
    const [planned, { list, names, bodies }] = await Promise.all([fetchPlanned(), chosenFiles]);
    planned.set('priceFiles', list);
    names.forEach((n, i) => planned.set(fileResponseKey(n), bodies[i]));
    return planned;
  },
  frames(query, responses) {
    const input = parsePricingInput(responses.get('main'));
    const book = priceBookFromJson(parseResponse(priceBookResponse, responses.get('book'), 'price-book').priceBook, 'price-book');
    const files: ScenarioPriceFile[] = [];
    if (responses.has('priceFiles')) {
      const chosen = selectPriceFiles(
        query.priceFiles,
        parseResponse(priceFilesResponse, responses.get('priceFiles'), 'price-files').items,
      );
      for (const name of new Set(chosen.map((f) => f.name))) {
        const body = parseResponse(priceFileResponse, responses.get(fileResponseKey(name)), `price-files/${name}`);
        files.push(...scenarioFilesOf(name, body.priceBook, chosen));
      }
    }
    const wabas = responses.has('wabas') ? parseResponse(wabasResponse, responses.get('wabas'), 'wabas').items : [];
    return buildWhatIfFrames(input, book, toScenario(query, files), {
      refId: query.refId,
      groupBy: query.groupBy,
      interval: query.interval,
      timeZones: new Map(wabas.map((w) => [w.id, w.timezone])),
    });
  },
};
