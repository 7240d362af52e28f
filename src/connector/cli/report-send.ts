import { ConfigError, loadConfig } from '../config';
import type { QueryContext, WabaInfo } from '../query';
import { attemptDelivery, createReportSenders, periodKey, reportPeriod } from '../reports';
import { loadPriceBook } from '../runtime/price-files';
import { CLI_BUSY_TIMEOUT_MS, openStore } from '../runtime/open-store';
import { wabaInfoOf } from '../runtime/waba-info';
import { parseAsOf, resolveDb, type CommonFlags } from './options';

export interface ReportSendFlags extends CommonFlags {
  force?: boolean;
  asOf?: string;
}

/**
 * `waspend report send NAME`: delivers one report now, for the period its range gives now (or at
 * --as-of), through the same lease as the scheduler: a period already sent by a replica is refused
 * unless --force, and one being sent right now is refused.
 */
export async function reportSend(name: string, flags: ReportSendFlags): Promise<void> {
  const file = flags.config ?? process.env.WASPEND_CONFIG;
  if (!file) throw new ConfigError('--config', 'report send needs the connector config (--config FILE or WASPEND_CONFIG)');
  const config = loadConfig(file);
  const cfg = config.reports?.[name];
  if (!cfg) {
    const names = Object.keys(config.reports ?? {});
    throw new ConfigError('reports', `no report named "${name}" (configured: ${names.length ? names.join(', ') : 'none'})`);
  }
  const nowMs = parseAsOf(flags.asOf ?? process.env.WASPEND_DEMO_AS_OF) ?? Date.now();
  const senders = createReportSenders({ [name]: cfg }, process.env);
  const store = await openStore(resolveDb(flags, config), {
    timezones: Object.fromEntries(config.wabas.map((w) => [w.id, w.timezone])),
    busyTimeoutMs: CLI_BUSY_TIMEOUT_MS,
  });
  try {
    const { book } = await loadPriceBook(store);
    const wabas = new Map<string, WabaInfo>(config.wabas.map((w) => [w.id, wabaInfoOf(w)]));
    const ctx: QueryContext = { store, wabas, priceBook: () => book, generation: () => 0, now: () => nowMs };
    const period = reportPeriod(cfg.report.range, nowMs, cfg.schedule.timezone);
    const outcome = await attemptDelivery(
      { store, ctx, send: senders.send, secrets: senders.secrets, now: Date.now },
      name,
      cfg,
      period,
      flags.force ? { force: true } : {},
    );
    const key = periodKey(period);
    const to = cfg.smtp ? (cfg.recipients ?? []).join(', ') : 'the webhook';
    if (outcome.kind === 'sent') {
      process.stdout.write(`sent ${name} ${key} (${outcome.content.rows} rows) to ${to}\n`);
      return;
    }
    process.exitCode = 1;
    if (outcome.kind === 'failed') {
      process.stderr.write(`waspend: report ${name} ${key} not sent: ${outcome.error}\n`);
    } else if (outcome.row?.state === 'sent') {
      process.stderr.write(
        `waspend: report ${name} ${key} was already sent at ${new Date(outcome.row.sentAtMs ?? 0).toISOString()}; --force sends it again\n`,
      );
    } else {
      process.stderr.write(
        `waspend: report ${name} ${key} is being sent or waits for a retry until ${new Date(outcome.row?.leaseUntilMs ?? 0).toISOString()}\n`,
      );
    }
  } finally {
    senders.close();
    await store.close();
  }
}
