/**
 * A fake service-worker registration for driving sync mode's CoordinatorLink from node: its
 * active worker records every message the page posts and answers `status` on the port (or
 * nothing, with `status: undefined`, as a service worker that never answers).
 */
import type { DeliverMessage, ForgetMessage } from "../../ts/protocol/routes.js";
import { CoordinatorLink } from "../../ts/sync/link.js";

export function fakeCoordinator(status: number | undefined) {
  const received: Array<DeliverMessage | ForgetMessage> = [];
  const registration = {
    active: {
      postMessage(msg: DeliverMessage | ForgetMessage, [port]: MessagePort[]) {
        received.push(msg);
        if (status !== undefined) port!.postMessage({ status });
      },
    },
  } as unknown as ServiceWorkerRegistration;
  const link = new CoordinatorLink(registration, "https://app.test/__wasm_pmap__/");
  const deliveries = (t: string) => received.filter((m) => m.wasmPmap === "deliver" && m.ticket === t);
  return { link, received, deliveries };
}
