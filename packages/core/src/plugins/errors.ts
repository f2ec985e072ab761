/**
 * A provider plugin's configuration is wrong or incomplete (no API key, a base URL that is not http(s), an
 * out-of-range option). Plugins throw it with a message that names the setting and how to fix it (never the key's
 * value); the CLI shows that message and exits 2 (usage), like any other configuration mistake.
 */
export class ProviderConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderConfigError';
  }
}

/** True for a ProviderConfigError, also one from another copy of @taxonomist/core (checked by name). */
export function isProviderConfigError(err: unknown): err is ProviderConfigError {
  return err instanceof ProviderConfigError || (err instanceof Error && err.name === 'ProviderConfigError');
}

/**
 * A provider base URL checked and without trailing slashes; throws a ProviderConfigError naming the provider, the
 * setting and an example when it is not an http(s) URL.
 */
export function checkProviderBaseURL(raw: string, provider: string, example: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  throw new ProviderConfigError(`${provider} provider: base URL ${JSON.stringify(raw)} is not an http(s) URL (expected e.g. ${example})`);
}

/** A setting's value when it is a non-empty string (environment variables set to '' count as unset). */
export function nonEmptySetting(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
