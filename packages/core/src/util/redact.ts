/**
 * Secrets never reach disk or the terminal: every sink (the JSONL writer, the JSON / text file writers, the response
 * cache, LLM error messages, the CLI's stdout/stderr) passes its text through `redactText` once, at the point where
 * it is written. Two things are removed:
 *
 * - the values in the secret registry: provider plugins register the API keys they are configured with
 *   (`PluginSetupContext.registerSecret`, `ProviderDefinition.secrets`, `settings.apiKey`; see plugins/types.ts),
 *   so a key that looks like nothing in particular is still caught;
 * - anything shaped like a credential: `sk-...` keys, `Bearer ...` tokens, `x-api-key: ...` / `api_key=...` /
 *   `"apiKey": "..."` pairs and `user:password@` in URLs.
 *
 * Every replacement is JSON-safe: no pattern matches a quote or a backslash inside a value, so redacting the text of a
 * serialised JSON document leaves it valid JSON. This module imports nothing, so the CLI can load it at start-up.
 */

/** What a redacted value is replaced with. */
export const REDACTED = '***';

/** Shorter values are not registered: redacting every "test" or "key" in the outputs would destroy data. */
export const MIN_SECRET_LENGTH = 8;

interface SecretStore {
  values: Set<string>;
  /** Raw values and their JSON-escaped forms, longest first (so a secret containing another is removed whole). */
  needles: string[] | undefined;
}

// One registry per process, even if two copies of this module are loaded (e.g. a plugin bundling its own core).
const STORE_KEY = Symbol.for('@taxonomist/core.secrets');
function store(): SecretStore {
  const g = globalThis as unknown as Record<symbol, SecretStore | undefined>;
  let s = g[STORE_KEY];
  if (s === undefined) {
    s = { values: new Set(), needles: undefined };
    g[STORE_KEY] = s;
  }
  return s;
}

/**
 * Add a secret value (an API key, a token, a password) to the process-wide registry: from now on it is replaced by
 * `***` in everything Taxonomist writes. Values shorter than MIN_SECRET_LENGTH and non-strings are ignored.
 */
export function registerSecret(value: unknown): void {
  if (typeof value !== 'string') return;
  const v = value.trim();
  if (v.length < MIN_SECRET_LENGTH) return;
  const s = store();
  if (s.values.has(v)) return;
  s.values.add(v);
  s.needles = undefined;
}

/** Register the values of environment variables whose names say they hold a secret (…KEY, …TOKEN, …SECRET, …PASSWORD). */
export function registerSecretsFromEnv(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && SECRET_NAME.test(name)) registerSecret(value);
  }
}

/** Number of registered secrets (for tests and diagnostics; the values themselves are never exposed). */
export function registeredSecretCount(): number {
  return store().values.size;
}

/** Forget every registered secret. For tests. */
export function clearRegisteredSecrets(): void {
  const s = store();
  s.values.clear();
  s.needles = undefined;
}

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i;

function needles(): string[] {
  const s = store();
  if (s.needles === undefined) {
    const all = new Set<string>();
    for (const v of s.values) {
      all.add(v);
      // How the value appears inside a JSON string (quotes, backslashes, control characters escaped).
      all.add(JSON.stringify(v).slice(1, -1));
    }
    s.needles = [...all].sort((a, b) => b.length - a.length);
  }
  return s.needles;
}

// Characters a credential value is made of. Never a quote, a backslash or whitespace: see the module comment.
const VALUE = String.raw`[A-Za-z0-9._~+/=:*-]`;
// Long enough that words of ordinary text ("sk-learn", "bearer bonds") are left alone; real keys are far longer.
const SK_KEY = /\bsk-[A-Za-z0-9_*-]{12,}/g;
const BEARER = /\b(Bearer\s+)([A-Za-z0-9._~+/=-]{8,})/gi;
// A bearer token has digits or is long; "bearer instruments" is English.
const TOKEN_LIKE = /\d|^.{20,}$/;
// `x-api-key: v`, `api_key=v`, `"apiKey": "v"`, `access_token=v`, `Authorization: Basic v` ... Only technical
// names: natural words like "password: reset" appear in corpora and label names and must survive. The separator
// may contain quotes and backslashes (JSON text); they are kept as they are.
const NAMED = new RegExp(
  String.raw`\b((?:x-)?api[-_]?key|access[-_]?token|auth[-_]?token|refresh[-_]?token|client[-_]?secret|secret[-_]?key)` +
    String.raw`([\s"'\\]*[:=][\s"'\\]*)(${VALUE}{4,})`,
  'gi',
);
const AUTH_HEADER = new RegExp(String.raw`\b(authorization[\s"'\\]*[:=][\s"'\\]*(?:Basic|Token|Digest)\s+)(${VALUE}{4,})`, 'gi');
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@"'\\]+:[^/\s@"'\\]+@/gi;
// Values that are plainly not secrets: JSON numbers, booleans, null (and replacing them would break JSON).
const NOT_A_SECRET = /^(?:[-+0-9.eE]+|true|false|null|undefined|\*+)$/;

// One cheap pass deciding whether any pattern below can match: most lines (labels, predictions) hold none of these
// words, and the JSONL writer redacts every line, so the full patterns run only where they might apply. Spelled out
// per case (lower, Capitalised, UPPER) rather than with the i flag: about 1.4x faster in V8.
const MAYBE_CREDENTIAL = /sk-|[Bb]earer|BEARER|[Kk]ey|KEY|[Tt]oken|TOKEN|[Ss]ecret|SECRET|[Aa]uthorization|AUTHORIZATION|:\/\//;

/** `text` with every registered secret and every credential-shaped token replaced by `***`. */
export function redactText(text: string): string {
  let out = text;
  for (const n of needles()) if (out.includes(n)) out = out.split(n).join(REDACTED);
  if (!MAYBE_CREDENTIAL.test(out)) return out;
  if (out.includes('sk-')) out = out.replace(SK_KEY, `sk-${REDACTED}`);
  out = out.replace(BEARER, (match, head: string, token: string) => (TOKEN_LIKE.test(token) ? `${head}${REDACTED}` : match));
  out = out.replace(NAMED, (match, name: string, sep: string, value: string) => (NOT_A_SECRET.test(value) ? match : `${name}${sep}${REDACTED}`));
  out = out.replace(AUTH_HEADER, (match, head: string, value: string) => (NOT_A_SECRET.test(value) ? match : `${head}${REDACTED}`));
  if (out.includes('://')) out = out.replace(URL_PASSWORD, `$1${REDACTED}@`);
  return out;
}

/**
 * A deep copy of a JSON-like value with every string redacted (object keys too). For values that are not
 * serialised to text by a redacting writer, e.g. an error kept in memory and shown later.
 */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactText(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactText(k)] = redactValue(v);
    return out as T;
  }
  return value;
}
