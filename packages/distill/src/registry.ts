/**
 * Registries of featurizer and classifier kinds by name. The built-ins are always present; plugins add kinds with
 *   { name: 'my-plugin', registries: { featurizers: { 'my-feat': def }, classifiers: { 'my-clf': def } } }
 * and a registry built from a plugin host (`createDistillRegistry(host)`) or extended in place (`register*`).
 */
import { BUILTIN_CLASSIFIERS } from './classifiers/builtin.js';
import type { ClassifierDefinition } from './classifiers/types.js';
import { combinedFeaturizer } from './featurizers/combined.js';
import { embeddingsFeaturizer } from './featurizers/embeddings.js';
import { sparseFeaturizer } from './featurizers/sparse.js';
import type { FeaturizerContext, FeaturizerDefinition, FeaturizerState, TextFeaturizer } from './featurizers/types.js';

export const FEATURIZER_REGISTRY_KIND = 'featurizers';
export const CLASSIFIER_REGISTRY_KIND = 'classifiers';

// Plugins' `registries.classifiers` / `registries.featurizers` (and host.registry(kind)) take these types.
declare module '@taxonomist/core' {
  interface RegistryValueTypes {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    classifiers: ClassifierDefinition<any>;
    featurizers: FeaturizerDefinition;
  }
}

export class DistillRegistry {
  readonly featurizers = new Map<string, FeaturizerDefinition>();
  readonly classifiers = new Map<string, ClassifierDefinition<any>>();

  constructor() {
    for (const f of [sparseFeaturizer, embeddingsFeaturizer, combinedFeaturizer]) this.featurizers.set(f.type, f);
    for (const c of BUILTIN_CLASSIFIERS) this.classifiers.set(c.type, c);
  }

  registerFeaturizer(def: FeaturizerDefinition, name: string = def.type): this {
    if (typeof def?.create !== 'function' || typeof def.load !== 'function') {
      throw new TypeError(`featurizer "${name}" must be an object with create() and load()`);
    }
    if (this.featurizers.has(name)) throw new Error(`featurizer "${name}" is already registered`);
    this.featurizers.set(name, def);
    return this;
  }

  registerClassifier(def: ClassifierDefinition<any>, name: string = def.type): this {
    if (typeof def?.train !== 'function' || typeof def.schema?.parse !== 'function') {
      throw new TypeError(`classifier "${name}" must be an object with a zod schema and train()`);
    }
    if (this.classifiers.has(name)) throw new Error(`classifier "${name}" is already registered`);
    this.classifiers.set(name, def);
    return this;
  }

  classifier(type: string): ClassifierDefinition<any> {
    const def = this.classifiers.get(type);
    if (!def) throw new Error(`unknown classifier "${type}" (known: ${[...this.classifiers.keys()].join(', ')})`);
    return def;
  }

  featurizer(type: string): FeaturizerDefinition {
    const def = this.featurizers.get(type);
    if (!def) throw new Error(`unknown featurizer "${type}" (known: ${[...this.featurizers.keys()].join(', ')})`);
    return def;
  }

  /** Context that builds featurizers from configs or saved states, recursively (for 'combined'). */
  featurizerContext(embeddings?: FeaturizerContext['embeddings']): FeaturizerContext {
    const ctx: FeaturizerContext = {
      embeddings,
      create: (config) => this.featurizer(config.type).create(config as { type: string } & Record<string, unknown>, ctx),
      load: (state: FeaturizerState) => this.featurizer(state.type).load(state, ctx),
    };
    return ctx;
  }

  createFeaturizer(config: { type: string }, embeddings?: FeaturizerContext['embeddings']): TextFeaturizer {
    return this.featurizerContext(embeddings).create(config);
  }
}

/** Anything exposing registries by kind, e.g. @taxonomist/core's PluginHost. */
export interface RegistrySource {
  registry(kind: string): Map<string, unknown>;
}

/** A registry with the built-ins plus every featurizer/classifier that the plugins of `host` declare. */
export function createDistillRegistry(host?: RegistrySource): DistillRegistry {
  const reg = new DistillRegistry();
  if (host) {
    for (const [name, def] of host.registry(FEATURIZER_REGISTRY_KIND)) reg.registerFeaturizer(def as FeaturizerDefinition, name);
    for (const [name, def] of host.registry(CLASSIFIER_REGISTRY_KIND)) reg.registerClassifier(def as ClassifierDefinition<any>, name);
  }
  return reg;
}

/** The registry used when none is passed. */
export const defaultRegistry = new DistillRegistry();
