import { faultAnswer, startOpenAIServer, type ChatRequestInfo, type FaultRule, type OpenAIServer } from '@taxonomist/testing';

/**
 * A stand-in for the vendor's service, so the example runs offline: the local HTTP server from @taxonomist/testing,
 * speaking the Echo API's (OpenAI-compatible) wire format, whose only chat model "rules-v1" is a keyword-rules
 * engine. It fills in whatever flat JSON Schema it is asked for:
 * - an enum field gets the value whose keywords occur most often in the text (ties: the first value listed;
 *   no hit: "other" when that is a value, else the first one);
 * - a boolean field is true when the text sounds urgent;
 * - a string field gets a short note on which keywords decided.
 * Embeddings ("embed-v1") are the server's deterministic hashed bag-of-words vectors.
 */

/** Keywords per category value; a value without an entry matches its own name. */
export const KEYWORD_RULES: Record<string, readonly string[]> = {
  card: ['card', 'contactless', 'pin', 'visa', 'mastercard', 'apple pay', 'google pay'],
  transfer: ['transfer', 'beneficiary', 'recipient', 'sent', 'iban', 'mortgage'],
  cash: ['atm', 'cash', 'withdraw', 'withdrawal', 'withdrawl', 'bank machine'],
  top_up: ['top up', 'topped up', 'top-up', 'topup', 'topping up'],
  exchange: ['exchange', 'currency', 'currencies', 'fiat', 'rate'],
  account: ['account', 'identity', 'verify', 'passcode', 'personal details', 'phone', 'age', 'old'],
};

const URGENT = /\b(stolen|fraud|compromised|hacked|asap|immediately|urgent|without permission|didn't make|did not make|lost)\b/i;

export const ECHO_CHAT_MODEL = 'rules-v1';
export const ECHO_EMBEDDINGS_MODEL = 'embed-v1';

interface FlatSchema {
  properties?: Record<string, { type?: string; enum?: unknown[] }>;
}

const count = (text: string, keyword: string): number => {
  // Whole words only ("rate" must not match "separate"), case-insensitive.
  const re = new RegExp(`(^|[^a-z])${keyword.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^a-z])`, 'gi');
  return (text.match(re) ?? []).length;
};

/** The category a text gets among `values`, and the keywords that decided. */
export function ruleCategory(text: string, values: readonly string[]): { value: string; matched: string[] } {
  let best: { value: string; score: number; matched: string[] } | undefined;
  for (const value of values) {
    const keywords = KEYWORD_RULES[value] ?? [value];
    const matched = keywords.filter((k) => count(text, k) > 0);
    const score = keywords.reduce((s, k) => s + count(text, k), 0);
    if (score > 0 && (best === undefined || score > best.score)) best = { value, score, matched };
  }
  if (best) return { value: best.value, matched: best.matched };
  return { value: values.includes('other') ? 'other' : values[0]!, matched: [] };
}

export function isUrgent(text: string): boolean {
  return URGENT.test(text);
}

/** The rules-v1 model: answers a JSON-mode or prompt-method request by filling in its schema. */
export function rulesModel(request: ChatRequestInfo): object | string {
  if (request.model !== ECHO_CHAT_MODEL) {
    return faultAnswer({ kind: 'http_error', status: 404, code: 'model_not_found', message: `The model "${request.model}" does not exist` });
  }
  const text = request.lastUserMessage;
  const schema = request.schema as FlatSchema | undefined;
  if (schema?.properties === undefined) return `rules-v1 only answers JSON requests; got: ${text.slice(0, 40)}`;
  const answer: Record<string, unknown> = {};
  let decided: string[] = [];
  for (const [field, spec] of Object.entries(schema.properties)) {
    if (Array.isArray(spec.enum)) {
      const { value, matched } = ruleCategory(text, spec.enum.map(String));
      answer[field] = value;
      decided = matched;
    } else if (spec.type === 'boolean') answer[field] = isUrgent(text);
  }
  for (const [field, spec] of Object.entries(schema.properties)) {
    if (spec.type === 'string' && !Array.isArray(spec.enum)) answer[field] = decided.length ? `keywords: ${decided.join(', ')}` : 'no keyword matched';
  }
  return answer;
}

export interface EchoServiceOptions {
  /** The key the service accepts (anything else gets 401). */
  apiKey: string;
  /** Faults to inject (to see the gateway retry through them). */
  faults?: FaultRule[];
}

export function startEchoService(options: EchoServiceOptions): Promise<OpenAIServer> {
  return startOpenAIServer({
    apiKey: options.apiKey,
    script: rulesModel,
    faults: options.faults ?? [],
    models: [ECHO_CHAT_MODEL, ECHO_EMBEDDINGS_MODEL],
    embeddingDimensions: 64,
    seed: 1,
  });
}
