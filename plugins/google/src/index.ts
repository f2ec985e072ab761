/** @taxonomist/google: Google Gemini as a Taxonomist provider plugin, via @langchain/google-genai. */
export { googlePlugin, createGoogleProvider, GOOGLE_PROVIDER_ID } from './plugin.js';
export { resolveGoogleSettings, GOOGLE_PUBLIC_BASE_URL, type GoogleProviderSettings, type ResolvedGoogleSettings } from './settings.js';
export { createGoogleChatModel, createGoogleEmbeddingsModel, TaxonomistChatGoogle, TaxonomistGoogleEmbeddings } from './models.js';
export { describeGoogleError } from './errors.js';
export { GOOGLE_PRICES } from './prices.js';
