import type { ReportContent } from './report-content';

/** Slack counts message text in characters and cuts long messages; beyond this the CSV is only in `waspend.csv`. */
export const INLINE_CSV_LIMIT = 30_000;

/**
 * The JSON a report webhook receives: `text` is what Slack and Teams-style incoming webhooks show
 * (the summary, and the CSV in a code block when it is small enough); `waspend` carries the same
 * report for a receiver of our own (period, file name, the whole CSV).
 */
export function webhookBody(content: ReportContent): Record<string, unknown> {
  const inline = content.csv.length <= INLINE_CSV_LIMIT;
  return {
    text: inline
      ? `${content.summary}\n\`\`\`\n${content.csv}\`\`\``
      : `${content.summary}\n(${content.filename}: ${content.csv.length} characters, too long to show here)`,
    waspend: {
      report: content.name,
      from: content.period.from,
      to: content.period.to,
      rows: content.rows,
      filename: content.filename,
      contentType: 'text/csv; charset=utf-8',
      csv: content.csv,
    },
  };
}

/** POSTs the body; a non-2xx answer or no answer within the timeout is a failure (the URL itself is a secret and never in the error). */
export async function postReportWebhook(url: string, content: ReportContent, timeoutMs = 30_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhookBody(content)),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    const why = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (code ?? (err as Error).message);
    // Only the message is stored or shown; the cause (which may name the URL) stays in memory.
    throw new Error(`webhook POST failed: ${why}`, { cause: err });
  }
  const text = (await res.text().catch(() => '')).slice(0, 200);
  if (res.status < 200 || res.status >= 300) throw new Error(`webhook answered ${res.status}${text ? `: ${text}` : ''}`);
}
