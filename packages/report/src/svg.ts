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

/** A distinct colour per label index (golden-angle hues, two lightness bands), stable across runs. */
export function labelColor(i: number): string {
  const hue = Math.round((i * 137.508) % 360);
  return `hsl(${hue},${i % 2 ? 55 : 70}%,${i % 2 ? 38 : 50}%)`;
}

export interface MapLabel {
  name: string;
  x: number;
  y: number;
  /** Records in the label: bigger labels get their names placed first. */
  weight: number;
}

/** Approximate text box at the given font size (the page's sans-serif averages ~0.58 em per character). */
function textBox(text: string, cx: number, cy: number, size: number): { x0: number; y0: number; x1: number; y1: number } {
  const w = [...text].length * size * 0.6 + 4;
  const h = size * 1.3;
  return { x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2 };
}

const overlaps = (a: ReturnType<typeof textBox>, b: ReturnType<typeof textBox>): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Scatter plot of the documents (2-D projection), coloured by label, with label names at their centroids. Names are
 * placed greedily, biggest label first, nudged to a free spot nearby or left out when none is free, so no two names
 * overlap; every point's tooltip still names its label.
 */
export function scatterMap(
  points: readonly { x: number; y: number; label: number; title?: string | undefined }[],
  labels: readonly MapLabel[],
  options: { ariaLabel: string; width?: number; height?: number; labelNames: readonly string[] },
): { svg: string; hidden: number } {
  const width = options.width ?? 1000;
  const height = options.height ?? 640;
  const pad = 20;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [xMin, xMax, yMin, yMax] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const sx = (x: number): number => pad + (xMax === xMin ? 0.5 : (x - xMin) / (xMax - xMin)) * (width - 2 * pad);
  const sy = (y: number): number => height - pad - (yMax === yMin ? 0.5 : (y - yMin) / (yMax - yMin)) * (height - 2 * pad);
  const r = points.length > 2000 ? 1.6 : points.length > 500 ? 2.2 : 3;
  const parts: string[] = [`<rect x="0" y="0" width="${width}" height="${height}" fill="#fbfbfc" stroke="#d0d7de"/>`];
  // Points grouped per label: one <g> with one tooltip, instead of thousands of <title> elements.
  const byLabel = new Map<number, string[]>();
  for (const p of points) {
    const list = byLabel.get(p.label) ?? [];
    // A point's own tooltip (its text) overrides its group's (the label name).
    list.push(`<circle cx="${num(sx(p.x))}" cy="${num(sy(p.y))}" r="${r}"${p.title ? `><title>${esc(options.labelNames[p.label] ?? '')}: ${esc(p.title)}</title></circle>` : '/>'}`);
    byLabel.set(p.label, list);
  }
  for (const [l, circles] of [...byLabel].sort((a, b) => a[0] - b[0])) {
    parts.push(`<g class="pts" fill="${labelColor(l)}" fill-opacity="0.55"><title>${esc(options.labelNames[l] ?? '')}</title>${circles.join('')}</g>`);
  }
  const size = 11;
  const placed: ReturnType<typeof textBox>[] = [];
  let hidden = 0;
  const order = labels.map((l, i) => ({ l, i })).sort((a, b) => b.l.weight - a.l.weight || a.i - b.i);
  const nudges = [[0, 0], [0, -14], [0, 14], [-40, 0], [40, 0], [0, -28], [0, 28], [-40, -14], [40, 14], [-40, 14], [40, -14]] as const;
  for (const { l, i } of order) {
    const name = truncate(l.name, 28);
    let spot: ReturnType<typeof textBox> | undefined;
    for (const [dx, dy] of nudges) {
      const cx = Math.min(width - pad, Math.max(pad, sx(l.x) + dx));
      const cy = Math.min(height - pad, Math.max(pad, sy(l.y) + dy));
      const box = textBox(name, cx, cy, size);
      if (box.x0 < 0 || box.x1 > width) continue;
      if (!placed.some((b) => overlaps(b, box))) {
        spot = box;
        break;
      }
    }
    if (!spot) {
      hidden++;
      continue;
    }
    placed.push(spot);
    const cx = (spot.x0 + spot.x1) / 2;
    const cy = (spot.y0 + spot.y1) / 2;
    parts.push(`<text x="${num(cx)}" y="${num(cy + size * 0.35)}" text-anchor="middle" class="maplabel" fill="${labelColor(i)}"><title>${esc(l.name)}</title>${esc(name)}</text>`);
  }
  return {
    svg: `<svg class="chart map" role="img" aria-label="${esc(options.ariaLabel)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`,
    hidden,
  };
}

/**
 * Label-similarity heat map (cosine similarity of centroids) in a given order; rows named, columns in the same
 * order. Cells never shrink below a readable size: a big taxonomy scrolls instead.
 */
export function similarityMap(names: readonly string[], matrix: readonly (readonly number[])[], order: readonly number[], options: { ariaLabel: string }): string {
  const n = order.length;
  const cell = Math.max(12, Math.min(22, Math.floor(640 / Math.max(1, n))));
  const labelSpace = 200;
  const width = labelSpace + n * cell + 4;
  const height = n * cell + 4;
  const parts: string[] = [];
  order.forEach((i, row) => {
    parts.push(`<text x="${labelSpace - 4}" y="${num(row * cell + cell * 0.75)}" text-anchor="end" class="axis simlabel">${esc(truncate(names[i]!, 30))}<title>${esc(names[i]!)}</title></text>`);
    order.forEach((j, col) => {
      const s = matrix[i]?.[j] ?? 0;
      const t = Math.max(0, Math.min(1, s));
      const mix = (c: number): number => Math.round(247 + (c - 247) * t);
      parts.push(
        `<rect x="${labelSpace + col * cell}" y="${row * cell}" width="${cell}" height="${cell}" fill="rgb(${mix(8)},${mix(69)},${mix(148)})" class="cell">` +
          `<title>${esc(names[i]!)} ~ ${esc(names[j]!)}: ${s.toFixed(2)}</title></rect>`,
      );
    });
  });
  return `<svg class="chart simmap" role="img" aria-label="${esc(options.ariaLabel)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg">${parts.join('')}</svg>`;
}
