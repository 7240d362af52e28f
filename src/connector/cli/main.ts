import { Command, Option } from 'commander';
import { InputError } from '@core';
import { ConfigError } from '../config';
import { VERSION } from '../runtime/connector';
import { demo } from './demo';
import { importInvoices } from './import-invoices';
import { importPriceFile } from './import-rates';
import { parseDay } from './options';
import { replay } from './replay';
import { report, type ReportFlags } from './report';
import { reportSend, type ReportSendFlags } from './report-send';
import { serve } from './serve';

function program(): Command {
  const cli = new Command('waspend')
    .description('WhatsApp Business usage and cost analytics: the connector behind the Grafana data source')
    .version(VERSION)
    .showHelpAfterError();

  const serveCmd = (name: string, description: string, demoDefault: boolean) =>
    cli
      .command(name)
      .description(description)
      .option('--config <file>', 'connector config (YAML, ${ENV} expanded); env WASPEND_CONFIG')
      .option('--db <url>', 'sqlite:PATH (default sqlite:./data/waspend.sqlite) or postgres://...; env WASPEND_DB')
      .option('--port <n>', 'listen port (default 8080); env WASPEND_PORT')
      .option('--host <addr>', 'listen address (default 127.0.0.1); env WASPEND_HOST')
      .option('--demo', 'seed demo data into an empty store; without --config, serve the demo WABAs', demoDefault)
      .option('--no-pulls', 'do not pull Meta/360Dialog analytics even where credentials are configured')
      .option(
        '--as-of <time>',
        'pin the clock: the demo ends at this instant and queries and metrics read it as now ' +
          '(YYYY-MM-DD or ISO timestamp with zone, e.g. 2026-11-15T12:00:00Z); env WASPEND_DEMO_AS_OF',
      )
      .action((opts) => serve(opts));
  serveCmd('serve', 'run the connector: webhooks, query API, /health and /metrics', false);
  serveCmd('start', 'serve --demo: the connector on the embedded store, seeded with demo data when empty', true);

  const importCmd = (group: string, kind: 'rates' | 'tiers' | 'call_rates', what: string, currencyRequired: boolean) => {
    const cmd = cli.command(group).description(`manage ${what}`);
    const sub = cmd
      .command('import <file>')
      .description(`import ${what} effective from a WABA-local day; history is re-priced from the raw counts`)
      .requiredOption('--effective <day>', 'first WABA-local day the file applies (YYYY-MM-DD)', parseDay('--effective'))
      .option('--config <file>', 'connector config (for its db)')
      .option('--db <url>', 'store URL; env WASPEND_DB');
    if (currencyRequired) sub.requiredOption('--currency <code>', 'ISO 4217 currency of the file');
    else sub.option('--currency <code>', 'override the currency named in the file');
    sub.action((file: string, opts) => importPriceFile(kind, file, opts));
  };
  importCmd('rates', 'rates', "Meta's rates CSV (currency from the file)", false);
  importCmd('tiers', 'tiers', 'volume-tier CSV (Market,Category,Lower,Upper,Rate)', true);
  importCmd('call-rates', 'call_rates', 'calling rates CSV (Market,Currency,Lower minutes,Upper minutes,Rate per minute)', true);

  cli
    .command('invoice')
    .description(
      "manage Meta's monthly invoices (compared with the estimate and Meta's analytics on GET /api/v1/reconciliation?interval=month)",
    )
    .command('import <file>')
    .description(
      'import invoices from a CSV with the header month,waba,currency,amount (YYYY-MM, WABA id, ISO 4217, decimal); a re-import of the same WABA, month and currency replaces it; one bad row imports nothing',
    )
    .option('--config <file>', 'connector config (its db; WABA ids are checked against it)')
    .option('--db <url>', 'store URL; env WASPEND_DB')
    .action((file: string, opts) => importInvoices(file, opts));

  const reportCmd = cli
    .command('report')
    .description('usage report: delivered messages, charged units and cost per WABA-local day and dimension')
    // Checked in the action, not as commander's required options: those would also be demanded of `report send`.
    .option('--from <day>', 'first WABA-local day (YYYY-MM-DD); required', parseDay('--from'))
    .option('--to <day>', 'last WABA-local day, inclusive (YYYY-MM-DD); required', parseDay('--to'))
    .option('--by <dims>', 'comma-separated: day,category,country,market,phone,pricing_type,waba', 'day,category')
    .addOption(new Option('--format <fmt>', 'output format').choices(['csv', 'json']).default('csv'))
    .addOption(
      new Option('--source <src>', 'estimate (webhooks x rate card) or meta (pulled analytics)')
        .choices(['estimate', 'meta'])
        .default('estimate'),
    )
    .option('--waba <ids>', 'only these WABA ids (comma-separated)')
    .option('--config <file>', 'connector config; without it the demo WABAs are assumed')
    .option('--db <url>', 'store URL; env WASPEND_DB')
    .action((opts: ReportFlags, cmd: Command) => {
      if (!opts.from) cmd.error("error: required option '--from <day>' not specified");
      if (!opts.to) cmd.error("error: required option '--to <day>' not specified");
      return report(opts);
    });
  reportCmd
    .command('send <name>')
    .description(
      'deliver the configured report NAME (config reports:) now, for the period its range gives now; refused when that period was already sent',
    )
    .option('--config <file>', 'connector config with the reports: entry; env WASPEND_CONFIG')
    .option('--db <url>', 'store URL; env WASPEND_DB')
    .option('--force', 'send again even if this period was already delivered')
    .option('--as-of <time>', 'read the range as of this instant instead of now (YYYY-MM-DD or ISO timestamp with zone)')
    .action((name: string, opts: ReportSendFlags, cmd: Command) => {
      // `report` has --config and --db too, and commander hands them to it: take them from there.
      const parent = (cmd.parent?.opts() ?? {}) as ReportSendFlags;
      return reportSend(name, { ...opts, config: opts.config ?? parent.config, db: opts.db ?? parent.db });
    });

  cli
    .command('replay <file>')
    .description('post recorded webhooks (NDJSON, one envelope per line) to a connector')
    .requiredOption('--url <url>', 'connector base URL or full webhook URL')
    .option('--concurrency <n>', 'requests in flight', '8')
    .option('--retries <n>', 'retries per body on network errors and 5xx', '5')
    .option('--secret-env <name>', 'environment variable holding the Meta app secret to sign bodies with')
    .action((file: string, opts) => replay(file, opts));

  cli
    .command('demo')
    .description('generate a realistic multi-WABA, multi-country month of traffic into a store (or NDJSON with --out)')
    .option('--db <url>', 'store URL; env WASPEND_DB')
    .option('--out <file>', 'write NDJSON webhooks for `waspend replay` instead of storing')
    .option('--days <n>', 'days of traffic up to now', '45')
    .option('--scale <x>', 'volume multiplier', '1')
    .option('--seed <s>', 'random seed (same seed, same data)', 'waspend')
    .option('--as-of <time>', 'end of the demo (YYYY-MM-DD or ISO timestamp with zone; default now); env WASPEND_DEMO_AS_OF')
    .action((opts) => demo(opts));
  return cli;
}

/** Entry point used by bin/waspend.mjs. Bad input exits 1 with one clear line (and the field), never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof InputError) {
      process.stderr.write(`waspend: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
