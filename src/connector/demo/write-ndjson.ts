import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { generateDemo, type DemoOptions } from './generate-demo';

/**
 * Writes the demo's webhooks as NDJSON, one Meta envelope per line in delivery order, for
 * `waspend replay FILE.ndjson --url ...`. Streams with backpressure: memory stays flat at any scale.
 */
export async function writeDemoNdjson(file: string, options: DemoOptions): Promise<{ envelopes: number; bytes: number }> {
  let envelopes = 0;
  let bytes = 0;
  function* lines(): Generator<string> {
    for (const { envelope } of generateDemo(options).envelopes()) {
      const line = `${JSON.stringify(envelope)}\n`;
      envelopes++;
      bytes += Buffer.byteLength(line);
      yield line;
    }
  }
  await pipeline(Readable.from(lines()), fs.createWriteStream(file, { encoding: 'utf8' }));
  return { envelopes, bytes };
}
