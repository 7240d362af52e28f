/**
 * A webhook posted to a connector's `/webhooks/whatsapp` the way the suites that count by hand do it:
 * unsigned (their config has no app secret), an object sent as its JSON and a string as it is.
 */
async function post(url: string, body: object | string): Promise<Response> {
  return fetch(`${url}/webhooks/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Posts one webhook and gives the connector's status (the answer is read, so the socket is free). */
export async function postWebhook(url: string, body: object | string): Promise<number> {
  const res = await post(url, body);
  await res.arrayBuffer();
  return res.status;
}

/** Posts one webhook that must be acknowledged: anything but a 200 throws with the connector's answer. */
export async function postAcknowledged(url: string, body: object | string): Promise<void> {
  const res = await post(url, body);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${text}`);
}
