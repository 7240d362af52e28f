import type { FastifyInstance } from 'fastify';
import { addToPriceBook, emptyPriceBook, priceBookToJson } from '@core';
import type { PriceFileItem, PriceFileResponse, PriceFilesResponse } from '@contract';
import { parseRateFile } from '../runtime/price-files';
import type { StoredRateFile } from '../store';
import type { QueryContext } from '../query';

const itemOf = (f: StoredRateFile): PriceFileItem => ({
  name: f.fileName,
  kind: f.kind,
  currency: f.currency,
  effectiveFrom: f.effectiveFrom,
  importedAt: f.importedAtMs,
});

/**
 * Stored price files by name, so a what-if scenario can price a range with one of them (e.g. next
 * quarter's card imported with a future `--effective`). Read from the store on each request: files
 * are few and an import on another replica shows at once.
 */
export async function registerPriceFileRoutes(scope: FastifyInstance, ctx: QueryContext): Promise<void> {
  scope.get('/price-files', async (): Promise<PriceFilesResponse> => ({ items: (await ctx.store.rateFiles()).map(itemOf) }));
  scope.get<{ Params: { name: string } }>('/price-files/:name', async (req, reply) => {
    const files = (await ctx.store.rateFiles()).filter((f) => f.fileName === req.params.name);
    if (files.length === 0) {
      return reply.code(404).send({ error: 'not_found', message: `no stored price file is named "${req.params.name}"`, field: 'name' });
    }
    let book = emptyPriceBook();
    for (const f of files) {
      book = addToPriceBook(
        book,
        parseRateFile({ kind: f.kind, text: f.content, effectiveFrom: f.effectiveFrom, currency: f.currency, fileName: f.fileName }),
      );
    }
    const body: PriceFileResponse = { items: files.map(itemOf), priceBook: priceBookToJson(book) };
    return body;
  });
}
