/**
 * Runs in the service worker. The coordinator's HTTP answers: a status with a line of text,
 * or a frame — inline in a header when it is small (inline-frame.ts), since an empty body
 * costs less than a streamed one.
 */

import { inlineFrame } from "../protocol/inline-frame.js";
import { FRAME_HEADER } from "../protocol/routes.js";

export function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}

export function binary(body: Uint8Array): Response {
  const inline = inlineFrame(body);
  if (inline !== undefined) {
    // No body at all (not even ""): an empty body is still streamed, and costs as much.
    return new Response(null, { status: 200, headers: { "content-type": "application/cbor", [FRAME_HEADER]: inline } });
  }
  return new Response(body as BodyInit, { status: 200, headers: { "content-type": "application/cbor" } });
}
