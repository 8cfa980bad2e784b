/**
 * Runs in the service worker. Reading a request's body with a cap: the relay's answer POST
 * (coordinator.ts) is read only up to the coordinator's byte budget.
 */

/**
 * The body of `req`, or `undefined` if it is more than `cap` bytes: refused by its
 * Content-Length before anything is read, else as soon as the stream passes the cap (then
 * cancelled). Never holds more than `cap` bytes plus the chunk that crossed it — where the
 * browser gives the request a body stream (see below).
 */
export async function readCapped(req: Request, cap: number): Promise<Uint8Array | undefined> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > cap) return undefined;
  // Why: Firefox (153 ESR) gives a service worker's FetchEvent request no `body` stream for
  // a POST with a body (measured: every relay answer read as empty, so refused as "not a
  // frame"); there only the Content-Length check above guards, and the body is read whole.
  if (!req.body) {
    const whole = new Uint8Array(await req.arrayBuffer());
    return whole.byteLength > cap ? undefined : whole;
  }
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > cap) {
      void reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}
