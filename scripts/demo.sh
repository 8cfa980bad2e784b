#!/usr/bin/env bash
# `npm run demo`: installs and builds what is missing (as `npm test` does), then serves the
# demo (examples/raytracer): a Vite production build behind `vite preview`, the way
# tests/e2e/demo.test.ts runs it. `npm run demo -- --dev` serves it with Vite's dev server
# instead (edit examples/raytracer/*.ts and reload). PORT / HOST override 5173 / 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
config=examples/raytracer/vite.config.ts
if [ "${1:-}" = "--dev" ]; then
  exec npx vite --config "$config" --host "${HOST:-127.0.0.1}" --port "${PORT:-5173}"
fi
npx vite build --config "$config" --logLevel warn
echo "[demo] open the URL below; Ctrl+C stops the server"
exec npx vite preview --config "$config" --host "${HOST:-127.0.0.1}" --port "${PORT:-5173}"
