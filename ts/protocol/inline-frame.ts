/**
 * Protocol: runs in the coordinator (encode) and the SyncExecutor (decode). A ticket's
 * answer frame carried in a response *header* instead of the body, when it is small.
 *
 * Why: in Chromium a service-worker response with a body streams it through a data pipe
 * that costs the blocked executor ≈ 0.8 ms more before its synchronous XHR returns than a
 * body-less response (measured, headless Chromium, 2 cores: 1.8 ms vs 0.9 ms for a bare
 * sync XHR round trip). Most sync answers are a few bytes, so they ride in the header;
 * bigger ones keep the body, where the pipe's cost is small next to the copy.
 */
import { CoordinatorError } from "./errors.js";
import { FRAME_HEADER, INLINE_FRAME_MAX } from "./routes.js";

/** The header value for `frame` (base64), or `undefined` if it is too big to go inline. */
export function inlineFrame(frame: Uint8Array): string | undefined {
  if (frame.byteLength > INLINE_FRAME_MAX) return undefined;
  let bin = "";
  // Why chunks: String.fromCharCode(...big) would overflow the argument stack.
  for (let i = 0; i < frame.byteLength; i += 4096) bin += String.fromCharCode(...frame.subarray(i, i + 4096));
  return btoa(bin);
}

/** The frame an {@link inlineFrame} header carries; a `CoordinatorError` if it is not base64. */
export function frameFromHeader(value: string): Uint8Array {
  let bin: string;
  try {
    bin = atob(value);
  } catch {
    throw new CoordinatorError(
      `sync mode: the coordinator's ${FRAME_HEADER} header is not base64: ${value.slice(0, 40)}`,
    );
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
