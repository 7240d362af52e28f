/**
 * Times the plugin's DataSource.query() with a stubbed backend returning `rows` as the connector's
 * pricing-input response. Kept separate because it depends on the plugin's module layout.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { UsageRow } from '@core';
import { ROOT } from './connector-process';

export async function pluginQuery(_rows: UsageRow[], _reps: number): Promise<{ medianMs: number; p95Ms: number } | { unavailable: string }> {
  const entry = path.join(ROOT, 'src', 'plugin', 'datasource.ts');
  if (!fs.existsSync(entry)) return { unavailable: 'src/plugin/datasource.ts does not exist yet' };
  return { unavailable: 'plugin query() harness not wired yet' };
}
