/**
 * Runs in the service worker. What the coordinator holds, in all and by client: the
 * origin-wide caps (`maxTickets`, `maxBytes`) and each client's share of them.
 *
 * Why shares: the caps are the origin's, so without them one tab or worker that fills them
 * (a runaway page delivering answers nobody reads) makes every executor's next ticket a 503.
 * A client — the executor whose wait opened a ticket, the page or relay that delivered an
 * answer ahead of its wait — holds at most a quarter of each cap, so the others keep at least
 * three quarters. A quarter, not "max / clients": a client that holds much cannot be trimmed
 * when a newcomer arrives, so a share must be small from the start, and four is more clients
 * than an app has executors plus pages delivering at once.
 */

/** Each client holds at most this fraction of each cap (at least one ticket). */
export const CLIENT_SHARE = 1 / 4;

interface Held {
  tickets: number;
  bytes: number;
}

/** What the coordinator holds (tickets, bytes of answers), in all and by client id. */
export class Budget {
  readonly #all: Held = { tickets: 0, bytes: 0 };
  /** Only clients that hold something: the map is never bigger than the tickets held. */
  readonly #by = new Map<string, Held>();

  constructor(
    readonly maxTickets: number,
    readonly maxBytes: number,
  ) {}

  /** What is held in all (what `ping` reports). */
  get held(): Readonly<Held> {
    return this.#all;
  }

  /**
   * Why `client` may not hold one more ticket, or `undefined`. A holder of `undefined` (a
   * caller of `Coordinator.deliver` that names no client) is held to the origin-wide cap only.
   */
  ticketRefusal(client: string | undefined): string | undefined {
    if (this.#all.tickets >= this.maxTickets) return `too many tickets (${this.maxTickets})`;
    if (client === undefined) return undefined;
    const share = Math.max(1, Math.floor(this.maxTickets * CLIENT_SHARE));
    const mine = this.#by.get(client)?.tickets ?? 0;
    if (mine >= share) {
      return `this client's share is full: it holds ${mine} of its ${share} tickets (a quarter of maxTickets ${this.maxTickets})`;
    }
    return undefined;
  }

  /** Why `client` may not hold `bytes` more bytes of answers, or `undefined`. */
  bytesRefusal(client: string | undefined, bytes: number): string | undefined {
    if (this.#all.bytes + bytes > this.maxBytes) {
      return `the coordinator holds ${this.#all.bytes} bytes of answers (at most ${this.maxBytes})`;
    }
    if (client === undefined) return undefined;
    const share = Math.floor(this.maxBytes * CLIENT_SHARE);
    const mine = this.#by.get(client)?.bytes ?? 0;
    if (mine + bytes > share) {
      return `this client's share is full: it holds ${mine} of its ${share} bytes of answers (a quarter of maxBytes ${this.maxBytes}); this one is ${bytes}`;
    }
    return undefined;
  }

  /** Counts `tickets` and `bytes` (negative: let go) held for `client`. */
  add(client: string | undefined, tickets: number, bytes: number): void {
    this.#all.tickets += tickets;
    this.#all.bytes += bytes;
    if (client === undefined) return;
    const h = this.#by.get(client) ?? { tickets: 0, bytes: 0 };
    h.tickets += tickets;
    h.bytes += bytes;
    if (h.tickets === 0 && h.bytes === 0) this.#by.delete(client);
    else this.#by.set(client, h);
  }
}
