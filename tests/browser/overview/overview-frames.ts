/**
 * Runs every target of the messaging-overview dashboard through the plugin's query layer and the
 * panel's own transformations against a live connector, and prints the frames (values included) as
 * JSON for the overview page. Run with tsx: jest's node project cannot load @grafana/data.
 *   node --import tsx overview-frames.ts --url URL   (token in WASPEND_API_TOKEN)
 */
import fs from 'node:fs';
import path from 'node:path';
import { lastValueFrom } from 'rxjs';
import {
  standardTransformers,
  standardTransformersRegistry,
  toDataFrameDTO,
  transformDataFrame,
  type DataFrame,
  type DataTransformerConfig,
} from '@grafana/data';
import { runQuery } from '../../../src/plugin/query/run-query';
import { connectorFetchJson } from '../../dashboards/dashboard-queries';

const REPO = path.resolve(__dirname, '..', '..', '..');

type Json = Record<string, any>;

async function main(): Promise<void> {
  const url = process.argv[process.argv.indexOf('--url') + 1] as string;
  const token = process.env.WASPEND_API_TOKEN as string;
  const dash = JSON.parse(fs.readFileSync(path.join(REPO, 'dashboards', 'messaging-overview.json'), 'utf8')) as Json;
  const unique = [...new Map(Object.values(standardTransformers).map((t) => [t.id, t])).values()];
  standardTransformersRegistry.setInit(
    () =>
      unique.map((t) => ({
        id: t.id,
        aliasIds: t.aliasIds,
        name: t.name,
        description: t.description,
        transformation: () => t,
        editor: () => null,
        imageDark: '',
        imageLight: '',
      })) as never,
  );
  (globalThis as unknown as { window: Json }).window = { __grafanaSceneContext: {} };
  const byName = new Map(((dash.templating?.list ?? []) as Json[]).map((v) => [v.name as string, v]));
  const replace = (text: string) =>
    text.replace(/\$\{?(\w+)(?::\w+)?\}?/g, (m, name: string) => (byName.has(name) ? String(byName.get(name)!.allValue ?? '*') : m));
  const to = Date.now();
  const range = { fromMs: to - 30 * 86_400_000, toMs: to };
  const fetchJson = connectorFetchJson(url, token);
  const panels: { title: string; type: string; frames: unknown[] }[] = [];
  for (const panel of (dash.panels ?? []) as Json[]) {
    if (!Array.isArray(panel.targets) || panel.targets.length === 0) continue;
    let frames: DataFrame[] = [];
    for (const target of panel.targets as Json[]) {
      frames.push(...(await runQuery(target, range, { fetchJson, replace, timeZone: 'UTC', signal: new AbortController().signal })));
    }
    const transformations = (panel.transformations ?? []) as DataTransformerConfig[];
    if (transformations.length) frames = await lastValueFrom(transformDataFrame(transformations, frames));
    panels.push({ title: String(panel.title), type: String(panel.type), frames: frames.map((f) => toDataFrameDTO(f)) });
  }
  process.stdout.write(JSON.stringify(panels));
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
