import { TOKEN_REFUSED_MESSAGE, describeFetchError, describeHealth } from './connector-status';

const health = (over: Record<string, unknown> = {}, store: Record<string, unknown> = {}) => ({
  status: 'ok',
  version: '1.2.0',
  pulls: [],
  store: { ok: true, kind: 'sqlite', events: 42, lastEventAt: 1, ...store },
  ...over,
});

describe('describeHealth', () => {
  it('distinguishes ok, no data yet, failing pulls, a broken store and a foreign answer', () => {
    expect(describeHealth(health())).toEqual({ status: 'success', message: 'Connected to connector 1.2.0 (42 events).' });
    expect(describeHealth(health({}, { events: 0 }))).toMatchObject({ status: 'warning', message: expect.stringContaining('no data yet') });
    const pull = { wabaId: '111', source: 'meta', status: 'failing', lastSuccessAt: null, lastError: 'token expired', nextAttemptAt: null };
    expect(describeHealth(health({ pulls: [pull] })).message).toBe('Connected; 1 pull(s) failing (WABA 111: token expired).');
    expect(describeHealth(health({ status: 'error' }, { ok: false, error: 'disk full' }))).toEqual({
      status: 'error',
      message: 'Connector 1.2.0 cannot read its sqlite store: disk full',
    });
    expect(describeHealth('<html>')).toMatchObject({ status: 'error', message: expect.stringContaining('not like a waspend connector') });
  });
});

describe('describeFetchError', () => {
  it('names the cause per status and passes the connector field on', () => {
    expect(describeFetchError(0, undefined)).toMatch(/unreachable/);
    expect(describeFetchError(401, { error: 'unauthorized', message: 'bad token' })).toMatch(/refused the API token/);
    expect(describeFetchError(400, { error: 'bad_request', message: 'is not one of ...', field: 'category' })).toBe(
      'The connector rejected the query: is not one of ... (field category)',
    );
    expect(describeFetchError(502, null)).toMatch(/could not reach/);
    expect(describeFetchError(500, 'oops')).toBe('The connector failed with HTTP 500');
  });
});

describe('describeFetchError on a refused token', () => {
  // Exactly what reaches the plugin through Grafana: ds_proxy.go answers 400 with the text body
  // "Authentication to data source failed" (no JSON, no content type), and backendSrv's
  // processRequestError wraps a text body as { error: statusText, response, message }.
  const PROXY_BODY = 'Authentication to data source failed';
  const WRAPPED = { error: 'Bad Request', response: PROXY_BODY, message: PROXY_BODY };

  it('maps Grafana proxy 400 (wrapped by backendSrv or raw text) to the token message naming the setting', () => {
    expect(describeFetchError(400, WRAPPED)).toBe(TOKEN_REFUSED_MESSAGE);
    expect(describeFetchError(400, PROXY_BODY)).toBe(TOKEN_REFUSED_MESSAGE);
    expect(TOKEN_REFUSED_MESSAGE).toMatch(/Data sources > waspend/);
    expect(TOKEN_REFUSED_MESSAGE).toMatch(/"API token"/);
    expect(TOKEN_REFUSED_MESSAGE).not.toMatch(/bad request/i);
  });

  it('maps the direct 401 and 403 forms to the same message', () => {
    expect(describeFetchError(401, { error: 'unauthorized', message: 'missing or invalid bearer token' })).toBe(TOKEN_REFUSED_MESSAGE);
    expect(describeFetchError(403, { error: 'forbidden', message: 'token not allowed' })).toBe(TOKEN_REFUSED_MESSAGE);
  });

  it("tells Grafana's own route refusal apart, and leaves an ordinary 400 a query error", () => {
    expect(describeFetchError(403, { message: 'plugin proxy route access denied' })).toMatch(
      /^Grafana refused the data-source proxy route/,
    );
    expect(describeFetchError(400, { error: 'bad_request', message: 'must be a day', field: 'from' })).toBe(
      'The connector rejected the query: must be a day (field from)',
    );
    expect(describeFetchError(400, 'something else')).toBe('The connector rejected the query: bad request');
  });
});
