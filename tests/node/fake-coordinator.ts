/**
 * A fake service-worker registration for driving sync mode's CoordinatorLink from node: its
 * active worker records every message the page posts and answers on the message's port —
 * `{ status }` for a number, nothing for `undefined` (a service worker that never answers),
 * or whatever `reply(msg)` returns (nothing when it returns undefined).
 */
import type { DeliverMessage, ForgetMessage } from "../../ts/protocol/routes.js";
import { CoordinatorLink } from "../../ts/sync/link.js";

type Message = DeliverMessage | ForgetMessage;

export function fakeCoordinator(answer: number | undefined | ((msg: Message) => unknown)) {
  const reply = typeof answer === "function" ? answer : () => (answer === undefined ? undefined : { status: answer });
  const received: Message[] = [];
  const registration = {
    active: {
      postMessage(msg: Message, [port]: MessagePort[]) {
        received.push(msg);
        const r = reply(msg);
        if (r !== undefined) port!.postMessage(r);
      },
    },
  } as unknown as ServiceWorkerRegistration;
  const link = new CoordinatorLink(registration, "https://app.test/__wasm_pmap__/");
  const deliveries = (t: string) => received.filter((m) => m.wasmPmap === "deliver" && m.ticket === t);
  return { link, received, deliveries };
}
