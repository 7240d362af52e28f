/**
 * A complete USD rate card for the benchmark, in Meta's Rates CSV layout, with made-up rates for
 * every market in force. The invented test fixtures cover only a few markets; pricing the rest
 * would send most rows down the "no rate" problem path, which real cards never do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { marketNamesInForce } from '@core';

export function rateCardCsv(day: string): string {
  const lines = ['Cost per message in USD', 'Market,Currency,Marketing,Utility,Authentication,"Authentication-\r\nInternational",Service'];
  marketNamesInForce(day).forEach((market, i) => {
    const cents = (base: number) => (base + (i % 7) * 0.001).toFixed(4);
    lines.push(`"${market}",USD,${cents(0.05)},${cents(0.01)},${cents(0.009)},${cents(0.02)},0.0000`);
  });
  return lines.join('\r\n') + '\r\n';
}

export function writeRateCard(dir: string, day: string): string {
  const file = path.join(dir, `bench-rates-${day}.csv`);
  fs.writeFileSync(file, rateCardCsv(day));
  return file;
}
