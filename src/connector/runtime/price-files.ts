import {
  addToPriceBook,
  emptyPriceBook,
  parseCallRateCsv,
  parseRateCardCsv,
  parseTierCsv,
  type PriceBook,
  type PriceBookEntry,
} from '@core';
import type { RateFileStore, StoredRateFile } from '../store';

export type RateFileKind = StoredRateFile['kind'];

export interface RateFileInput {
  kind: RateFileKind;
  text: string;
  effectiveFrom: string;
  /** Required for tiers and call rates; Meta's rates CSV names its own currency. */
  currency?: string;
  fileName: string;
}

/** Parses a price file with core's parsers: throws InputError naming the bad cell. */
export function parseRateFile(f: RateFileInput): PriceBookEntry {
  const opts = { effectiveFrom: f.effectiveFrom, source: f.fileName };
  if (f.kind === 'rates') return parseRateCardCsv(f.text, { ...opts, ...(f.currency ? { currency: f.currency } : {}) });
  if (!f.currency) throw new Error(`--currency is required for ${f.kind} files`);
  return f.kind === 'tiers'
    ? parseTierCsv(f.text, { ...opts, currency: f.currency })
    : parseCallRateCsv(f.text, { ...opts, currency: f.currency });
}

/** Validates then stores a price file; returns the parsed entry (its currency may come from the file). */
export async function importRateFile(store: RateFileStore, f: RateFileInput, nowMs: number): Promise<PriceBookEntry> {
  const entry = parseRateFile(f);
  await store.saveRateFile({
    kind: f.kind,
    currency: entry.currency,
    effectiveFrom: f.effectiveFrom,
    fileName: f.fileName,
    importedAtMs: nowMs,
    content: f.text,
  });
  return entry;
}

/**
 * The price book from every stored file, oldest effective date first, with a signature of the files
 * it was built from (a reload only rebuilds when the signature changes).
 */
export async function loadPriceBook(store: RateFileStore): Promise<{ book: PriceBook; signature: string }> {
  const files = await store.rateFiles();
  return { book: bookOf(files), signature: signatureOf(files) };
}

function bookOf(files: readonly StoredRateFile[]): PriceBook {
  let book = emptyPriceBook();
  for (const f of files) {
    book = addToPriceBook(
      book,
      parseRateFile({ kind: f.kind, text: f.content, effectiveFrom: f.effectiveFrom, currency: f.currency, fileName: f.fileName }),
    );
  }
  return book;
}

const signatureOf = (files: readonly StoredRateFile[]) =>
  files.map((f) => `${f.kind}/${f.currency}/${f.effectiveFrom}/${f.importedAtMs}`).join(',');

/** Reads the stored files on every call but parses them only when they changed (the re-pricer asks on each pass with work). */
export function priceBookLoader(store: RateFileStore): () => Promise<PriceBook> {
  let last: { signature: string; book: PriceBook } | undefined;
  return async () => {
    const files = await store.rateFiles();
    const signature = signatureOf(files);
    if (last?.signature !== signature) last = { signature, book: bookOf(files) };
    return last.book;
  };
}

/** Stores one of the demo's invented price files (what `serve --demo` and `waspend demo` seed). */
export async function importDemoRateFile(
  store: RateFileStore,
  f: { kind: RateFileKind; text: string; effectiveFrom: string; currency: string; fileName: string },
): Promise<void> {
  await importRateFile(
    store,
    { kind: f.kind, text: f.text, effectiveFrom: f.effectiveFrom, currency: f.currency, fileName: f.fileName },
    Date.now(),
  );
}
