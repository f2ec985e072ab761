import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { Embeddings } from '@langchain/core/embeddings';
import { AIMessage, type BaseMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';

/** What a scripted step can be: an answer, an error to throw, 'hang' (wait for abort), or a function of the call. */
export type Step =
  | AIMessage
  | Error
  | 'hang'
  | ((call: RecordedCall) => AIMessage | Error | 'hang' | Promise<AIMessage | Error | 'hang'>);

export interface RecordedCall {
  messages: BaseMessage[];
  options: Record<string, unknown>;
}

export function answer(content: string, usage = { input_tokens: 10, output_tokens: 5 }, extra: Record<string, unknown> = {}): AIMessage {
  return new AIMessage({
    content,
    usage_metadata: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens },
    ...extra,
  });
}

/** An error shaped like openai v6 APIError. */
export function apiError(status: number, opts: { headers?: Record<string, string>; code?: string; message?: string } = {}): Error {
  const err = new Error(`${status} ${opts.message ?? 'error'}`) as Error & Record<string, unknown>;
  err.status = status;
  err.headers = new Headers(opts.headers ?? {});
  if (opts.code) {
    err.code = opts.code;
    err.error = { code: opts.code, message: opts.message ?? 'error' };
  }
  return err;
}

export function netError(code: string, message = 'fetch failed'): Error {
  const err = new TypeError(message) as TypeError & { cause?: unknown };
  err.cause = Object.assign(new Error(`read ${code}`), { code });
  return err;
}

export interface FakeChatOptions {
  type?: string;
  model?: string;
  /** Reused when the script runs out. */
  fallback?: Step;
  apiKey?: string;
  temperature?: number;
}

export class FakeChatModel extends BaseChatModel {
  readonly calls: RecordedCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly script: Step[];
  private readonly type: string;
  model: string;
  fallback?: Step;
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  /** Called when a call starts; lets a test hold a call open. */
  onStart?: (call: RecordedCall) => Promise<void> | void;

  constructor(script: Step[], opts: FakeChatOptions = {}) {
    super({});
    this.script = [...script];
    this.type = opts.type ?? 'fake';
    this.model = opts.model ?? 'scripted';
    this.fallback = opts.fallback;
    this.apiKey = opts.apiKey;
    this.temperature = opts.temperature;
  }

  _llmType(): string {
    return this.type;
  }

  get remaining(): number {
    return this.script.length;
  }

  async _generate(messages: BaseMessage[], options: this['ParsedCallOptions']): Promise<ChatResult> {
    const call: RecordedCall = { messages, options: {
        ...(options as Record<string, unknown>),
        temperatureSeen: this.temperature,
        maxTokensSeen: this.maxTokens,
        logprobsSeen: this.logprobs,
        topLogprobsSeen: this.topLogprobs,
      },
    };
    this.calls.push(call);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.onStart?.(call);
      let step = this.script.length > 0 ? this.script.shift()! : this.fallback;
      if (step === undefined) throw new Error('FakeChatModel: script exhausted');
      if (typeof step === 'function') step = await step(call);
      if (step === 'hang') {
        const signal = (options as { signal?: AbortSignal }).signal;
        await new Promise<never>((_, reject) => {
          if (!signal) return;
          signal.addEventListener('abort', () => reject(Object.assign(new Error('Request was aborted.'), { name: 'AbortError' })), {
            once: true,
          });
        });
      }
      if (step instanceof Error) throw step;
      const message = step as AIMessage;
      return { generations: [{ text: typeof message.content === 'string' ? message.content : '', message }] };
    } finally {
      this.inFlight--;
    }
  }
}

/** A fake that supports tool calling (so 'auto' picks functionCalling). */
export class FakeToolChatModel extends FakeChatModel {
  override bindTools(tools: unknown[], kwargs: Record<string, unknown> = {}) {
    return this.withConfig({ tools, ...kwargs } as Record<string, unknown>);
  }
}

export function toolAnswer(name: string, args: Record<string, unknown>, usage = { input_tokens: 10, output_tokens: 5 }): AIMessage {
  return new AIMessage({
    content: '',
    tool_calls: [{ name, args, id: 'call_1', type: 'tool_call' }],
    usage_metadata: { ...usage, total_tokens: usage.input_tokens + usage.output_tokens },
  });
}

export class FakeEmbeddings extends Embeddings {
  readonly batches: string[][] = [];
  model = 'fake-embed';
  private readonly failures: Error[];

  constructor(failures: Error[] = [], private readonly dims = 3) {
    super({});
    this.failures = [...failures];
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.batches.push([...texts]);
    const f = this.failures.shift();
    if (f) throw f;
    return texts.map((t) => vectorFor(t, this.dims));
  }

  async embedQuery(text: string): Promise<number[]> {
    return vectorFor(text, this.dims);
  }
}

export function vectorFor(text: string, dims = 3): number[] {
  const v: number[] = [];
  for (let d = 0; d < dims; d++) v.push(((text.length * (d + 1)) % 17) / 17 + d);
  return v;
}

/** A clock whose sleeps record and return at once; `blockSleeps` makes sleeps wait until aborted. */
export function recordingClock() {
  let now = 0;
  const sleeps: number[] = [];
  const clock = {
    sleeps,
    blockSleeps: false,
    now: () => now,
    sleep(ms: number, signal?: AbortSignal): Promise<void> {
      sleeps.push(ms);
      if (clock.blockSleeps) {
        return new Promise<void>((_, reject) => {
          const fail = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          if (signal?.aborted) return fail();
          signal?.addEventListener('abort', fail, { once: true });
        });
      }
      if (signal?.aborted) return Promise.reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      now += ms;
      return Promise.resolve();
    },
  };
  return clock;
}
