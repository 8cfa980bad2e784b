/**
 * Protocol: runs wherever it is imported. Random ids for pools, calls and tickets.
 *
 * Why not `crypto.randomUUID()`: it exists only in secure contexts, and a page served over
 * plain http from a LAN address must work too. `crypto.getRandomValues` exists everywhere.
 */

/** A random (version 4) UUID: unguessable, so ids never collide across pools, tabs or reloads. */
export function randomUuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40; // version 4
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
