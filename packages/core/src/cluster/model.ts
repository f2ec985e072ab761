/**
 * A fitted clustering model: the vectorizer (offline LSA state, or the id of the embeddings model), the centroids and
 * their label ids. Serialisable to one JSON document; `assign` labels new texts offline by nearest centroid.
 */
import { z } from 'zod';
import type { Embeddings } from '@langchain/core/embeddings';
import type { EmbeddingsRef, Gateway } from '../llm/types.js';
import { denseFromRows, dotAt, sqDistAt, type DenseMatrix } from '../vectors/dense.js';
import { LsaStateSchema, LsaVectorizer } from '../vectors/lsa.js';
import { base64ToFloat64, float64ToBase64 } from '../vectors/sparse/typed-base64.js';

export const CLUSTER_MODEL_SCHEMA_VERSION = 1 as const;

export const ClusterModelJsonSchema = z.object({
  kind: z.literal('taxonomist-cluster-model'),
  schemaVersion: z.literal(CLUSTER_MODEL_SCHEMA_VERSION),
  /** Id of the taxonomy whose labels the centroids stand for. */
  taxonomyId: z.string().optional(),
  /** Centroids are unit vectors and texts are matched by cosine similarity. */
  spherical: z.boolean(),
  dimensions: z.number().int().positive(),
  labels: z.array(z.object({ id: z.string().min(1), name: z.string().min(1) })).min(1),
  /** float64 little-endian base64, labels.length x dimensions, row-major. */
  centroids: z.string(),
  vectorizer: z.discriminatedUnion('kind', [
    LsaStateSchema,
    z.object({ kind: z.literal('embeddings'), modelId: z.string().min(1) }),
  ]),
});
export type ClusterModelJson = z.infer<typeof ClusterModelJsonSchema>;

export interface ClusterAssignment {
  labelId: string;
  /** Cosine similarity to the chosen centroid (0 for a text with no known terms). */
  similarity: number;
  /** The text has no feature the model knows (every word unseen): the label is only the first centroid's. */
  empty?: true;
}

export type ClusterVectorizer = { kind: 'lsa'; lsa: LsaVectorizer } | { kind: 'embeddings'; modelId: string };

export class ClusterModelError extends Error {
  override name = 'ClusterModelError';
}

export class ClusterModel {
  constructor(
    readonly vectorizer: ClusterVectorizer,
    readonly labels: readonly { id: string; name: string }[],
    /** k x dimensions, row-major. */
    readonly centroids: Float64Array,
    readonly dimensions: number,
    readonly spherical: boolean,
    readonly taxonomyId?: string,
  ) {
    if (centroids.length !== labels.length * dimensions) {
      throw new ClusterModelError(
        `cluster model: ${labels.length} labels x ${dimensions} dimensions need ${labels.length * dimensions} centroid values, got ${centroids.length}`,
      );
    }
    const ids = new Set<string>();
    for (const l of labels) {
      if (ids.has(l.id)) throw new ClusterModelError(`cluster model: duplicate label id "${l.id}"`);
      ids.add(l.id);
    }
  }

  get k(): number {
    return this.labels.length;
  }

  /** Labels texts offline (built-in vectorizer only; for an embeddings model use `assignWith` or `assignVectors`). */
  assign(texts: readonly string[]): ClusterAssignment[] {
    if (this.vectorizer.kind !== 'lsa') {
      throw new ClusterModelError(
        `this cluster model was built on embeddings "${this.vectorizer.modelId}": embed the texts and call assignVectors(), or use assignWith()`,
      );
    }
    return this.assignVectors(this.vectorizer.lsa.transform(texts));
  }

  /** Labels texts with the model's own vectorizer, embedding them first when the model was built on embeddings. */
  async assignWith(
    texts: readonly string[],
    opts: { gateway?: Gateway; embeddings?: EmbeddingsRef | Embeddings; signal?: AbortSignal } = {},
  ): Promise<ClusterAssignment[]> {
    if (this.vectorizer.kind === 'lsa') return this.assign(texts);
    const embeddings = opts.embeddings ?? this.vectorizer.modelId;
    const vectors = await embedTexts(texts, embeddings, opts.gateway, opts.signal);
    return this.assignVectors(vectors.vectors);
  }

  /** Nearest centroid of each vector (by cosine similarity in spherical mode, else Euclidean distance). */
  assignVectors(vectors: DenseMatrix | readonly (readonly number[])[]): ClusterAssignment[] {
    const m = isDense(vectors) ? vectors : denseFromRows(vectors);
    if (m.rows > 0 && m.cols !== this.dimensions) {
      throw new ClusterModelError(`cluster model: vectors have ${m.cols} dimensions, the model ${this.dimensions}`);
    }
    const dims = this.dimensions;
    const c = this.centroids;
    const cnorm = new Float64Array(this.k);
    for (let j = 0; j < this.k; j++) {
      let s = 0;
      for (let d = 0; d < dims; d++) s += c[j * dims + d]! * c[j * dims + d]!;
      cnorm[j] = Math.sqrt(s);
    }
    const out: ClusterAssignment[] = [];
    for (let i = 0; i < m.rows; i++) {
      const o = i * dims;
      let xn = 0;
      for (let d = 0; d < dims; d++) xn += m.data[o + d]! * m.data[o + d]!;
      xn = Math.sqrt(xn);
      if (xn === 0) {
        out.push({ labelId: this.labels[0]!.id, similarity: 0, empty: true });
        continue;
      }
      let best = 0;
      let bestScore = -Infinity;
      for (let j = 0; j < this.k; j++) {
        // Spherical: highest cosine; else nearest in Euclidean distance.
        const score = this.spherical
          ? cnorm[j]! === 0
            ? 0
            : dotAt(m.data, o, c, j * dims, dims) / cnorm[j]!
          : -sqDistAt(m.data, o, c, j * dims, dims);
        if (score > bestScore) {
          bestScore = score;
          best = j;
        }
      }
      const bestCos = cnorm[best]! === 0 ? 0 : dotAt(m.data, o, c, best * dims, dims) / (xn * cnorm[best]!);
      out.push({ labelId: this.labels[best]!.id, similarity: bestCos });
    }
    return out;
  }

  toJSON(): ClusterModelJson {
    return {
      kind: 'taxonomist-cluster-model',
      schemaVersion: CLUSTER_MODEL_SCHEMA_VERSION,
      ...(this.taxonomyId !== undefined ? { taxonomyId: this.taxonomyId } : {}),
      spherical: this.spherical,
      dimensions: this.dimensions,
      labels: this.labels.map((l) => ({ id: l.id, name: l.name })),
      centroids: float64ToBase64(this.centroids),
      vectorizer:
        this.vectorizer.kind === 'lsa'
          ? this.vectorizer.lsa.toJSON()
          : { kind: 'embeddings', modelId: this.vectorizer.modelId },
    };
  }

  /** Loads a model saved with `toJSON()`; throws a ClusterModelError naming the bad field. */
  static fromJSON(json: unknown, source = 'cluster model'): ClusterModel {
    if (json !== null && typeof json === 'object') {
      const o = json as Record<string, unknown>;
      if (o.kind !== undefined && o.kind !== 'taxonomist-cluster-model') {
        throw new ClusterModelError(`${source}: kind is "${String(o.kind)}", not a taxonomist cluster model`);
      }
      if (o.schemaVersion !== undefined && o.schemaVersion !== CLUSTER_MODEL_SCHEMA_VERSION) {
        throw new ClusterModelError(
          `${source}: schemaVersion ${String(o.schemaVersion)} is not supported (this version reads ${CLUSTER_MODEL_SCHEMA_VERSION})`,
        );
      }
    }
    const parsed = ClusterModelJsonSchema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `field "${i.path.join('.') || '(root)'}": ${i.message}`);
      throw new ClusterModelError(`${source}: ${issues.join('; ')}`);
    }
    const s = parsed.data;
    let centroids: Float64Array;
    try {
      centroids = base64ToFloat64(s.centroids, 'centroids');
    } catch (err) {
      throw new ClusterModelError(`${source}: field "centroids": ${(err as Error).message}`);
    }
    let vectorizer: ClusterVectorizer;
    if (s.vectorizer.kind === 'lsa') {
      let lsa: LsaVectorizer;
      try {
        lsa = LsaVectorizer.fromJSON(s.vectorizer);
      } catch (err) {
        throw new ClusterModelError(`${source}: field "vectorizer": ${(err as Error).message}`);
      }
      if (lsa.dimensions !== s.dimensions) {
        throw new ClusterModelError(`${source}: the vectorizer gives ${lsa.dimensions} dimensions, the model says ${s.dimensions}`);
      }
      vectorizer = { kind: 'lsa', lsa };
    } else vectorizer = { kind: 'embeddings', modelId: s.vectorizer.modelId };
    try {
      return new ClusterModel(vectorizer, s.labels, centroids, s.dimensions, s.spherical, s.taxonomyId);
    } catch (err) {
      throw new ClusterModelError(`${source}: ${(err as Error).message.replace(/^cluster model: /, '')}`);
    }
  }
}

function isDense(v: unknown): v is DenseMatrix {
  return typeof v === 'object' && v !== null && 'data' in v && 'rows' in v && 'cols' in v;
}

function isEmbeddings(v: unknown): v is Embeddings {
  return typeof v === 'object' && v !== null && typeof (v as { embedDocuments?: unknown }).embedDocuments === 'function';
}

/**
 * Embeds texts through the gateway when there is one (cache, accounting, retries), else directly with a LangChain
 * Embeddings instance. A string id needs a gateway to be resolved.
 */
export async function embedTexts(
  texts: readonly string[],
  embeddings: EmbeddingsRef | Embeddings,
  gateway: Gateway | undefined,
  signal?: AbortSignal,
): Promise<{ vectors: DenseMatrix<Float64Array>; modelId: string }> {
  if (gateway) {
    const res = await gateway.embed({ stage: 'cluster', model: embeddings, texts: [...texts], ...(signal ? { signal } : {}) });
    if (res.vectors.length !== texts.length) {
      throw new ClusterModelError(`embeddings "${res.modelId}" returned ${res.vectors.length} vectors for ${texts.length} texts`);
    }
    return { vectors: denseFromRows(res.vectors, `embeddings "${res.modelId}"`), modelId: res.modelId };
  }
  if (typeof embeddings === 'string') {
    throw new ClusterModelError(`embeddings "${embeddings}" is a model id: pass a gateway to resolve it, or an Embeddings instance`);
  }
  const model = isEmbeddings(embeddings) ? embeddings : embeddings.model;
  const modelId = isEmbeddings(embeddings) ? embeddingsName(embeddings) : embeddings.id;
  const vectors = await model.embedDocuments([...texts]);
  if (vectors.length !== texts.length) {
    throw new ClusterModelError(`embeddings "${modelId}" returned ${vectors.length} vectors for ${texts.length} texts`);
  }
  return { vectors: denseFromRows(vectors, `embeddings "${modelId}"`), modelId };
}

function embeddingsName(e: Embeddings): string {
  const o = e as unknown as { model?: unknown; modelName?: unknown };
  const name = typeof o.model === 'string' ? o.model : typeof o.modelName === 'string' ? o.modelName : undefined;
  return name ? `${e.constructor.name}:${name}` : e.constructor.name;
}
