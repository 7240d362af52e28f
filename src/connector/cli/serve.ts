import { startConnector } from '../runtime/connector';
import { applyHeapGrowth, heapGrowthPercent } from '../runtime/heap-growth';
import { parseAsOf, parsePort, resolveConfig, resolveDb, type CommonFlags } from './options';

export interface ServeFlags extends CommonFlags {
  port?: string;
  host?: string;
  demo?: boolean;
  pulls?: boolean;
  asOf?: string;
}

/** `waspend serve`: runs until SIGINT/SIGTERM, then drains pending commits and closes the store. */
export async function serve(flags: ServeFlags): Promise<void> {
  const { config, generatedToken } = resolveConfig(flags, { demo: flags.demo });
  const db = resolveDb(flags, config);
  const port = parsePort(flags.port ?? process.env.WASPEND_PORT ?? String(config.server?.port ?? 8080));
  const host = flags.host ?? process.env.WASPEND_HOST ?? config.server?.host ?? '127.0.0.1';
  // Before the workers start: the setting holds for the process, every thread's heap alike.
  applyHeapGrowth(heapGrowthPercent(config.server?.heapGrowthPercent, process.env));
  const asOfMs = flags.asOf !== undefined ? parseAsOf(flags.asOf) : parseAsOf(process.env.WASPEND_DEMO_AS_OF, 'WASPEND_DEMO_AS_OF');
  const running = await startConnector({
    config,
    db,
    host,
    port,
    demo: Boolean(flags.demo),
    ...(asOfMs !== undefined ? { asOfMs } : {}),
    pulls: flags.pulls !== false,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const shown = running.url.replace('0.0.0.0', 'localhost');
  process.stdout.write(
    [
      '',
      `waspend connector listening on ${shown}`,
      `  webhooks:   POST ${shown}/webhooks/whatsapp`,
      `  health:     ${shown}/health      metrics: ${shown}/metrics`,
      `  query API:  ${shown}/api/v1/...  (Authorization: Bearer <apiToken>)`,
      ...(asOfMs !== undefined ? [`  clock:      pinned at ${new Date(asOfMs).toISOString()} (--as-of / WASPEND_DEMO_AS_OF)`] : []),
      '',
      "Point Grafana at it: install the plugin (npm run build, then copy dist/ to Grafana's plugins directory",
      'as waspend-whatsapp-datasource and allow it unsigned), add a "waspend" data source with',
      `  Connector URL = ${shown}`,
      generatedToken
        ? `  API token     = ${generatedToken}   (generated for this demo run; set WASPEND_API_TOKEN to choose one)`
        : '  API token     = the apiToken of your config (or WASPEND_API_TOKEN)',
      'or run the whole stack with docker compose (see README).',
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await running.close();
}
