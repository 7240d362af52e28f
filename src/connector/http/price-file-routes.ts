import type { FastifyInstance } from 'fastify';
import { addToPriceBook, emptyPriceBook, priceBookToJson } from '@core';
import type { PriceFileItem, PriceFileResponse, PriceFilesResponse } from '@contract';
import { parseRateFile } from '../runtime/price-files';
import type { StoredRateFile } from '../store';
import type { QueryContext } from '../query';
import type { QueryRunner } from './api-queries';

const itemOf = (f: StoredRateFile): PriceFileItem => ({
  name: f.fileName,
  kind: f.kind,
  currency: f.currency,
  effectiveFrom: f.effectiveFrom,
  importedAt: f.importedAtMs,
});

/** Every stored price file (GET /api/v1/price-files). */
export async function priceFiles(ctx: QueryContext): Promise<PriceFilesResponse> {
  return { items: (await ctx.store.rateFiles()).map(itemOf) };
}

/** The stored files of one name as a price book (GET /api/v1/price-files/{name}); null when none has that name. */
export async function priceFile(ctx: QueryContext, name: string): Promise<PriceFileResponse | null> {
  const files = (await ctx.store.rateFiles()).filter((f) => f.fileName === name);
  if (files.length === 0) return null;
  let book = emptyPriceBook();
  for (const f of files) {
    book = addToPriceBook(
      book,
      parseRateFile({ kind: f.kind, text: f.content, effectiveFrom: f.effectiveFrom, currency: f.currency, fileName: f.fileName }),
    );
  }
  return { items: files.map(itemOf), priceBook: priceBookToJson(book) };
}

/**
 * Stored price files by name, so a what-if scenario can price a range with one of them (e.g. next
 * quarter's card imported with a future `--effective`). Read from the store on each request: files
 * are few and an import on another replica shows at once. Parsing a card is work, so both routes go
 * through the query runner like the series.
 */
export async function registerPriceFileRoutes(scope: FastifyInstance, runner: QueryRunner): Promise<void> {
  const json = 'application/json; charset=utf-8';
  scope.get('/price-files', async (_req, reply) => reply.type(json).send(await runner.run('price-files', {})));
  scope.get<{ Params: { name: string } }>('/price-files/:name', async (req, reply) => {
    const text = await runner.run('price-file', { name: req.params.name });
    if (text === 'null') {
      return reply.code(404).send({ error: 'not_found', message: `no stored price file is named "${req.params.name}"`, field: 'name' });
    }
    return reply.type(json).send(text);
  });
}
