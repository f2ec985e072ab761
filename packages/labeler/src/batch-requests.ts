import { jsonSchemaOf } from '@taxonomist/core';
import type { BatchRequest, ChatMessage } from '@taxonomist/core';
import { packKeys } from './answer-schema.js';
import { buildMessages } from './prompt.js';
import type { PreparedRecord } from './call-model.js';
import type { RunSetup } from './setup.js';

/**
 * The batch request of one pack: the same messages, JSON schema, schema name and temperature the online labeler
 * sends for it (labelOne for one text, labelPack for several), including few-shot examples and the plugin host's
 * 'prompt:messages' transforms, so batch and online labeling ask the model exactly the same thing.
 */
export async function buildBatchRequest(
  setup: RunSetup,
  records: readonly PreparedRecord[],
  customId: string,
  options: { logprobs: boolean; maxOutputTokens?: number; signal?: AbortSignal },
): Promise<BatchRequest> {
  const single = records.length === 1;
  const examples = setup.fewShot ? await setup.fewShot.select(records.map((r) => r.text), options.signal) : [];
  const keys = packKeys(records.length);
  let messages: ChatMessage[] = single
    ? buildMessages(setup.systems.single, setup.catalog, [{ text: records[0]!.text }], examples)
    : buildMessages(setup.systems.packed, setup.catalog, records.map((r, i) => ({ key: keys[i]!, text: r.text })), examples);
  const host = setup.opts.gateway.host;
  if (host?.hasHook('prompt:messages')) {
    messages = await host.transform('prompt:messages', messages, { promptId: 'label', stage: setup.opts.stage });
  }
  return {
    customId,
    messages,
    schema: jsonSchemaOf(single ? setup.singleSchema : setup.packedSchema(records.length)),
    schemaName: single ? 'label_answer' : 'label_answers',
    temperature: setup.opts.temperature,
    ...(options.maxOutputTokens !== undefined ? { maxTokens: options.maxOutputTokens * records.length } : {}),
    ...(options.logprobs ? { logprobs: true } : {}),
  };
}
