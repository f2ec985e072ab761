/** Escape text for HTML/SVG element content and double-quoted attributes. Corpus texts are untrusted. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** Shorten to n characters with an ellipsis (the full text goes into a <title> tooltip). */
export function truncate(text: string, n: number): string {
  const chars = [...text];
  return chars.length <= n ? text : `${chars.slice(0, n - 1).join('')}…`;
}

/** Numbers with at most `digits` decimals and no trailing noise, for SVG coordinates. */
export function num(x: number, digits = 1): string {
  return String(Number(x.toFixed(digits)));
}
