// Kept ports with more sync pools than the coordinator keeps ports for (N8): `n` page links
// against one coordinator (the real setupCoordinator on a fake service-worker scope, real
// MessageChannels), each sending a `forget` in turn, `rounds` times. Prints how many sends
// waited out the port's silence (PORT_SILENT_MS) and the latency spread.
//   npx jiti bench/kept-ports.ts [links=20] [rounds=5]

import { linkTo, serviceWorker, ticket } from "../tests/node/fake-service-worker.js";
import { MAX_KEPT_PORTS } from "../ts/coordinator/kept-ports.js";
import { PORT_SILENT_MS } from "../ts/sync/link.js";

const n = Number(process.argv[2] ?? 20);
const rounds = Number(process.argv[3] ?? 5);
const s = serviceWorker();
const links = Array.from({ length: n }, () => linkTo(s.sw).link);
const ms: number[] = [];
let t = 0;
const started = performance.now();
for (let r = 0; r < rounds; r++) {
  for (const link of links) {
    const at = performance.now();
    if ((await link.forget(ticket(++t))) !== 204) throw new Error("the coordinator did not take a message");
    ms.push(performance.now() - at);
  }
}
const total = performance.now() - started;
const later = ms.slice(n).sort((a, b) => a - b); // after the first round (every link's first send posts)
const q = (p: number) => (later[Math.min(later.length - 1, Math.floor(p * later.length))] ?? 0).toFixed(2);
console.log(
  `kept ports: ${n} links, ${rounds} rounds (MAX_KEPT_PORTS ${MAX_KEPT_PORTS}): ${ms.length} sends in ${total.toFixed(0)} ms; ` +
    `waited out the ${PORT_SILENT_MS} ms silence: ${ms.filter((x) => x >= PORT_SILENT_MS * 0.75).length}; ` +
    `after round 1: p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms; posted (not on a port): ${s.posted.length}`,
);
for (const p of s.adopted) p.close();
