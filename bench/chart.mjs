// The bench's chart, hand-written SVG (no chart library): speedup over single-thread wasm
// on the main thread against the number of workers, one line per variant.

const W = 720;
const H = 400;
const M = { left: 56, right: 250, top: 64, bottom: 48 };
// Room between the axes and the first and last worker counts.
const PAD = 32;
const esc = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;");

/**
 * @param {{ title: string, subtitle: string, counts: number[],
 *   series: { name: string, color: string, points: [number, number][] }[] }} chart
 * @returns {string} an SVG document
 */
export function speedupSvg({ title, subtitle, counts, series }) {
  const xMax = Math.max(2, ...counts);
  const yMax = Math.max(xMax, Math.ceil(Math.max(1, ...series.flatMap((s) => s.points.map(([, y]) => y)))));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (w) => M.left + PAD + ((w - 1) / Math.max(1, xMax - 1)) * (pw - 2 * PAD);
  const y = (v) => M.top + ph - (v / yMax) * ph;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${M.left}" y="24" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="${M.left}" y="44" fill="#555">${esc(subtitle)}</text>`,
  ];
  for (let v = 0; v <= yMax; v += yMax > 4 ? 1 : 0.5) {
    parts.push(
      `<line x1="${M.left}" x2="${M.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 8}" y="${y(v) + 4}" text-anchor="end" fill="#555">${v}×</text>`,
    );
  }
  for (const w of counts)
    parts.push(`<text x="${x(w)}" y="${M.top + ph + 18}" text-anchor="middle" fill="#555">${w}</text>`);
  parts.push(
    `<text x="${M.left + pw / 2}" y="${H - 10}" text-anchor="middle">workers</text>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + ph}" stroke="#999"/>`,
    `<line x1="${M.left}" x2="${M.left + pw}" y1="${M.top + ph}" y2="${M.top + ph}" stroke="#999"/>`,
    // Ideal scaling and the single-thread baseline, for scale.
    `<line x1="${x(1)}" y1="${y(1)}" x2="${x(xMax)}" y2="${y(xMax)}" stroke="#bbb" stroke-dasharray="4 4"/>`,
    `<text x="${x(xMax) + 6}" y="${y(xMax) + 4}" fill="#999">ideal</text>`,
    `<line x1="${M.left}" x2="${M.left + pw}" y1="${y(1)}" y2="${y(1)}" stroke="#999" stroke-dasharray="1 3"/>`,
    `<line x1="${W - M.right + 16}" x2="${W - M.right + 30}" y1="${M.top + series.length * 22 + 10}" y2="${M.top + series.length * 22 + 10}" stroke="#999" stroke-dasharray="1 3"/>`,
    `<text x="${W - M.right + 36}" y="${M.top + series.length * 22 + 14}" fill="#555">single-thread wasm, main thread</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.map(([w, v]) => `${x(w).toFixed(1)},${y(v).toFixed(1)}`);
    parts.push(
      `<polyline points="${pts.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`,
      ...s.points.map(([w, v]) => `<circle cx="${x(w).toFixed(1)}" cy="${y(v).toFixed(1)}" r="4" fill="${s.color}"/>`),
      `<rect x="${W - M.right + 16}" y="${M.top + i * 22 + 8}" width="14" height="4" fill="${s.color}"/>`,
      `<text x="${W - M.right + 36}" y="${M.top + i * 22 + 14}">${esc(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
