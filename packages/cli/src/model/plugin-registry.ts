import { createPluginHost, type PluginHost } from '@taxonomist/core';
import type { DistillRegistry } from '@taxonomist/distill';
import type { CommandContext } from '../commands/types.js';

/**
 * The distill registry the config's plugins extend (their `registries.classifiers` / `registries.featurizers`), for
 * `distill --classifier`, `run --classifier / --featurizer` and loading a model trained with a plugin's featurizer
 * or classifier in `predict`. Uses the command's plugin host when it has one (setupModels built it), else builds one.
 * Undefined when no plugin is configured (the package's built-ins then).
 */
export async function pluginDistillRegistry(ctx: CommandContext, host?: PluginHost): Promise<DistillRegistry | undefined> {
  if (host === undefined && ctx.config.plugins.length === 0) return undefined;
  let h = host;
  if (h === undefined) {
    h = createPluginHost(ctx.config.plugins);
    await h.ready();
  }
  const { createDistillRegistry } = await import('@taxonomist/distill');
  return createDistillRegistry(h);
}
