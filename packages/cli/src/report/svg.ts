import { esc, num, truncate } from './escape.js';

/**
 * Inline SVG charts for the report: plain strings, no library, no script, no network. Every chart has a
 * role="img" + aria-label, and every mark a <title> so values are readable on hover.
 */

export interface BarItem {
  label: string;
  value: number;
  /** Text after the bar (default: the value). */
  valueText?: string;
}

export function barChart(items: readonly BarItem[], options: { width?: number; barHeight?: number; labelWidth?: number; ariaLabel: string; color?: string }): string {
  const width = options.width ?? 760;
  const barHeight = options.barHeight ?? 18;
  const gap = 4;
  const labelWidth = options.labelWidth ?? 230;
  const valueWidth = 70;
  const plotWidth = Math.max(50, width - labelWidth - valueWidth);
  const max = Math.max(1e-12, ...items.map((i) => i.value));
  const height = items.length * (barHeight + gap) + gap;
  const color = options.color ?? '#4c78a8';
  const rows = items.map((item, i) => {
    const y = gap + i * (barHeight + gap);
    const w = Math.max(item.value > 0 ? 1 : 0, (item.value / max) * plotWidth);
    const text = item.valueText ?? String(item.value);
    return (
      `<g><title>${esc(item.label)}: ${esc(text)}</title>` +
      `<text x="${labelWidth - 6}" y="${num(y + barHeight * 0.72)}" text-anchor="end" class="axis">${esc(truncate(item.label, 34))}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${num(w)}" height="${barHeight}" fill="${color}" rx="2"/>` +
      `<text x="${num(labelWidth + w + 4)}" y="${num(y + barHeight * 0.72)}" class="value">${esc(text)}</text></g>`
    );
  });
  return `<svg class="chart" role="img" aria-label="${esc(options.ariaLabel)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${rows.join('')}</svg>`;
}

export interface LinePoint {
  x: number;
  y: number;
  /** Tooltip text. */
  title?: string;
}

export function lineChart(points: readonly LinePoint[], options: { width?: number; height?: number; yMin?: number; yMax?: number; xLabel: string; yLabel: string; ariaLabel: string }): string {
  const width = options.width ?? 760;
  const height = options.height ?? 240;
  const m = { left: 48, right: 16, top: 12, bottom: 40 };
  const pw = width - m.left - m.right;
  const ph = height - m.top - m.bottom;
  const xs = points.map((p) => p.x);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const yMin = options.yMin ?? Math.min(...points.map((p) => p.y));
  const yMax = options.yMax ?? Math.max(...points.map((p) => p.y));
  const sx = (x: number): number => m.left + (xMax === xMin ? pw / 2 : ((x - xMin) / (xMax - xMin)) * pw);
  const sy = (y: number): number => m.top + ph - (yMax === yMin ? ph / 2 : ((y - yMin) / (yMax - yMin)) * ph);
  const parts: string[] = [];
  // Horizontal grid with 5 ticks.
  for (let i = 0; i <= 4; i++) {
    const v = yMin + ((yMax - yMin) * i) / 4;
    const y = sy(v);
    parts.push(`<line x1="${m.left}" x2="${width - m.right}" y1="${num(y)}" y2="${num(y)}" class="grid"/>`);
    parts.push(`<text x="${m.left - 6}" y="${num(y + 4)}" text-anchor="end" class="axis">${esc(num(v, 0))}</text>`);
  }
  const distinctX = [...new Set(xs)];
  const step = Math.max(1, Math.ceil(distinctX.length / 12));
  distinctX.forEach((x, i) => {
    if (i % step === 0) parts.push(`<text x="${num(sx(x))}" y="${height - m.bottom + 16}" text-anchor="middle" class="axis">${esc(x)}</text>`);
  });
  parts.push(`<text x="${m.left + pw / 2}" y="${height - 4}" text-anchor="middle" class="axis">${esc(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(12 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(options.yLabel)}</text>`);
  if (points.length > 1) {
    parts.push(`<polyline fill="none" stroke="#e45756" stroke-width="2" points="${points.map((p) => `${num(sx(p.x))},${num(sy(p.y))}`).join(' ')}"/>`);
  }
  for (const p of points) {
    parts.push(`<circle cx="${num(sx(p.x))}" cy="${num(sy(p.y))}" r="4" fill="#e45756"><title>${esc(p.title ?? `${p.x}: ${p.y}`)}</title></circle>`);
  }
  return `<svg class="chart" role="img" aria-label="${esc(options.ariaLabel)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/**
 * Confusion matrix heat map, rows = reference label, columns = predicted. Colour = share of the row (so rare
 * labels are as visible as common ones); the cell tooltip gives the count.
 */
export function heatMap(labels: readonly string[], matrix: readonly (readonly number[])[], options: { ariaLabel: string; cell?: number }): string {
  const n = labels.length;
  const cell = options.cell ?? Math.max(8, Math.min(28, Math.floor(560 / Math.max(1, n))));
  const labelSpace = 170;
  const size = labelSpace + n * cell + 8;
  // Column labels are rotated up and to the right: leave room for the last ones.
  const width = size + 110;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const row = matrix[i] ?? [];
    const rowSum = row.reduce((a, b) => a + b, 0);
    parts.push(`<text x="${labelSpace - 4}" y="${num(labelSpace + i * cell + cell * 0.75)}" text-anchor="end" class="axis small">${esc(truncate(labels[i]!, 26))}</text>`);
    for (let j = 0; j < n; j++) {
      const count = row[j] ?? 0;
      const share = rowSum > 0 ? count / rowSum : 0;
      const fill = heatColor(share, i === j);
      parts.push(
        `<rect x="${labelSpace + j * cell}" y="${labelSpace + i * cell}" width="${cell}" height="${cell}" fill="${fill}" class="cell">` +
          `<title>${esc(labels[i]!)} → ${esc(labels[j]!)}: ${count} (${num(share * 100)}% of row)</title></rect>`,
      );
    }
  }
  for (let j = 0; j < n; j++) {
    const x = labelSpace + j * cell + cell * 0.7;
    parts.push(`<text transform="translate(${num(x)} ${labelSpace - 4}) rotate(-60)" class="axis small">${esc(truncate(labels[j]!, 26))}</text>`);
  }
  return `<svg class="chart heatmap" role="img" aria-label="${esc(options.ariaLabel)}" viewBox="0 0 ${width} ${size}" width="${width}" height="${size}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}

/** White -> blue for the diagonal (correct), white -> red off the diagonal (confusions). */
function heatColor(share: number, diagonal: boolean): string {
  if (share <= 0) return '#f7f7f7';
  const t = Math.min(1, share);
  const [r, g, b] = diagonal ? [33, 102, 172] : [214, 39, 40];
  const mix = (c: number): number => Math.round(247 + (c - 247) * (0.15 + 0.85 * t));
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}
