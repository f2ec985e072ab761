import type { JsonSchema } from './json-schema-sample.js';

/**
 * Finds a JSON Schema embedded in prompt text. Models without native structured output are asked for JSON with the
 * schema pasted into the prompt; the local server and the scripted model use this to answer such prompt-method
 * calls with schema-valid JSON even without a script. Returns the last schema-looking JSON object in the text.
 */
export function extractJsonSchemaFromText(text: string): JsonSchema | undefined {
  let found: JsonSchema | undefined;
  let i = 0;
  while (i < text.length) {
    const start = text.indexOf('{', i);
    if (start < 0) break;
    const end = matchBrace(text, start);
    if (end < 0) {
      i = start + 1;
      continue;
    }
    const candidate = text.slice(start, end + 1);
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate);
    } catch {
      i = start + 1;
      continue;
    }
    if (looksLikeSchema(parsed)) {
      found = parsed as JsonSchema;
      i = end + 1;
    } else {
      i = start + 1;
    }
  }
  return found;
}

function looksLikeSchema(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.$schema === 'string') return true;
  if (typeof v.type === 'string' && (typeof v.properties === 'object' || v.items !== undefined || Array.isArray(v.enum))) return true;
  return Array.isArray(v.anyOf) || Array.isArray(v.oneOf);
}

/** Index of the brace closing the one at `start`, skipping JSON strings; -1 when unbalanced. */
function matchBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}
