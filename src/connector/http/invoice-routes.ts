import type { FastifyInstance } from 'fastify';
import { InputError, toDecimalString } from '@core';
import { invoicePutBody, invoicesQuery, monthParam, type InvoiceItem, type InvoicePutResponse, type InvoicesResponse } from '@contract';
import { checkInvoice } from '../invoices';
import type { QueryContext } from '../query';
import type { StoredInvoice } from '../store';

const toItem = (i: StoredInvoice): InvoiceItem => ({
  wabaId: i.wabaId,
  month: i.month,
  currency: i.currency,
  amount: toDecimalString(i.amountMicros),
  source: i.source,
  enteredAt: i.enteredAtMs,
});

/** The first zod issue as an InputError naming the field (`currency`, `amount`, or an unexpected key). */
function firstIssue(
  error: { issues: { path: PropertyKey[]; message: string; code: string; keys?: string[] }[] },
  given: unknown,
): InputError {
  const issue = error.issues[0];
  const field = issue?.code === 'unrecognized_keys' ? (issue.keys?.[0] ?? 'body') : String(issue?.path[0] ?? 'body');
  const value =
    issue?.code === 'unrecognized_keys' ? (given as Record<string, unknown>)[field] : (given as Record<string, unknown>)?.[field];
  return new InputError(
    field,
    value,
    issue?.code === 'unrecognized_keys' ? 'is not a field of an invoice (currency, amount)' : (issue?.message ?? 'is invalid'),
  );
}

/**
 * PUT /api/v1/invoices/{waba}/{month} and GET /api/v1/invoices, registered inside the token-checked
 * API scope. The PUT body is parsed here (not by fastify's JSON parser) so that a body that is not
 * JSON gets the same 400 naming the field as every other bad input.
 */
export async function registerInvoiceRoutes(scope: FastifyInstance, ctx: QueryContext): Promise<void> {
  await scope.register(async (inv) => {
    inv.removeAllContentTypeParsers();
    inv.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    inv.put<{ Params: { waba: string; month: string } }>('/invoices/:waba/:month', async (req) => {
      const month = monthParam.safeParse(req.params.month);
      if (!month.success) throw new InputError('month', req.params.month, 'is not a month in YYYY-MM form');
      let body: unknown;
      try {
        body = JSON.parse(typeof req.body === 'string' ? req.body : '');
      } catch {
        throw new InputError(
          'body',
          typeof req.body === 'string' ? req.body : undefined,
          'must be JSON {"currency": "EUR", "amount": "1234.56"}',
        );
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw new InputError('body', body, 'must be a JSON object {"currency": "EUR", "amount": "1234.56"}');
      const parsed = invoicePutBody.safeParse(body);
      if (!parsed.success) throw firstIssue(parsed.error as never, body);
      const checked = checkInvoice(
        { waba: req.params.waba, month: month.data, currency: parsed.data.currency, amount: parsed.data.amount },
        { waba: 'waba', month: 'month', currency: 'currency', amount: 'amount' },
        { knownWabas: new Set(ctx.wabas.keys()) },
      );
      const stored: StoredInvoice = { ...checked, source: 'api', enteredAtMs: ctx.now() };
      const { replaced } = await ctx.store.saveInvoices([stored]);
      const answer: InvoicePutResponse = { item: toItem(stored), replaced: replaced > 0 };
      return answer;
    });
  });

  scope.get('/invoices', async (req) => {
    const res = invoicesQuery.safeParse(req.query ?? {});
    if (!res.success) {
      const issue = res.error.issues[0];
      const field = String(issue?.path[0] ?? '(query)');
      throw new InputError(field, (req.query as Record<string, unknown> | null)?.[field], issue?.message ?? 'is invalid');
    }
    const q = res.data;
    if (q.from > q.to) throw new InputError('to', q.to, 'must not be before from');
    const items = await ctx.store.invoices({ fromMonth: q.from, toMonth: q.to, wabaIds: q.waba });
    const answer: InvoicesResponse = { items: items.map(toItem) };
    return answer;
  });
}
