// A bare static server for a folder, as a CDN would serve a Rust app's wasm-bindgen output
// (no Vite: nothing rewrites the glue or the runtime snippet, which spawns workers and
// registers its service worker from its own URL). Every response carries `headers`.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";

const MIME = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Serves `dir` on an ephemeral port of 127.0.0.1 (a secure context: service workers work). */
export async function serveFolder(dir, headers = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(new URL(req.url ?? "/", "http://x").pathname);
    try {
      const body = await readFile(join(dir, path === "/" ? "index.html" : path));
      res.writeHead(200, { "Content-Type": MIME[extname(path)] ?? "application/octet-stream", ...headers }).end(body);
    } catch {
      res.writeHead(404, headers).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
