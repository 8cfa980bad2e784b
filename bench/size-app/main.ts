// The smallest page that uses the package (bench/run.mjs builds it with Vite to measure
// what a user ships): one pool, one map, one sync-mode-capable pool option.
import { createPool } from "../../dist/index.js";

const pool = await createPool({ concurrency: 2 });
document.body.textContent = String(await pool.map("double", [1, 2, 3]));
