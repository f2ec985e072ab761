/** taxonomist-provider-quill: a provider package for an API that is not OpenAI-compatible. */
export { quillPlugin, createQuillProvider, QUILL_PROVIDER_ID, QUILL_PRICES, type QuillSettings } from './plugin.js';
export { QuillChatModel, type QuillChatFields, type QuillCallOptions } from './chat-model.js';
export { QuillEmbeddings } from './embeddings.js';
export { QuillApiError, quillPost } from './wire.js';
