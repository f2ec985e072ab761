export type JsonExtraction = { ok: true; value: unknown; text: string } | { ok: false; error: string };

/**
 * Find the JSON value in a model's text answer: the whole text, else a ```json fenced block, else the first balanced
 * {...} or [...] span that parses (models often wrap JSON in prose).
 */
export function extractJson(text: string): JsonExtraction {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, error: 'the answer is empty; expected a JSON value' };
  const direct = tryParse(trimmed);
  if (direct.ok) return direct;

  const fence = /```[ \t]*(?:json5?|JSON)?[ \t]*\r?\n?([\s\S]*?)```/g;
  for (let m = fence.exec(text); m; m = fence.exec(text)) {
    const r = tryParse(m[1]!.trim());
    if (r.ok) return r;
  }
  // An opening fence without a closing one (answer cut short or sloppy formatting).
  const open = /```[ \t]*(?:json)?[ \t]*\r?\n([\s\S]*)$/i.exec(text);
  if (open) {
    const r = tryParse(open[1]!.trim());
    if (r.ok) return r;
  }

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '{' && c !== '[') continue;
    const end = matchingEnd(text, i);
    if (end < 0) continue;
    const r = tryParse(text.slice(i, end + 1));
    if (r.ok) return r;
  }
  return { ok: false, error: `no valid JSON found in the answer (${direct.error})` };
}

function tryParse(s: string): JsonExtraction {
  try {
    return { ok: true, value: JSON.parse(s) as unknown, text: s };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

/** Index of the bracket closing the one at `start`, skipping brackets inside strings; -1 if unbalanced. */
function matchingEnd(text: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') stack.push('}');
    else if (c === '[') stack.push(']');
    else if (c === '}' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}
