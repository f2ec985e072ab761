import { z } from 'zod';

/** One family of n-grams. Each block has its own index space, TF-IDF and normalisation, then is scaled by `weight`. */
export const SparseBlockSchema = z
  .object({
    /** 'word': word n-grams; 'char_wb': character n-grams inside space-padded words; 'char': across the whole text. */
    analyzer: z.enum(['word', 'char', 'char_wb']),
    /** Inclusive [min, max] n. */
    ngramRange: z.tuple([z.number().int().min(1), z.number().int().min(1)]),
    /** Multiplier applied after the block's normalisation (relative importance of the block). */
    weight: z.number().positive().default(1),
    /** Words that `char_wb` pads: whitespace-separated chunks (punctuation kept, as scikit-learn) or tokenizer tokens. */
    boundaries: z.enum(['whitespace', 'tokens']).default('whitespace'),
    /** Per-block overrides of the top-level vocabulary pruning settings. */
    minDf: z.number().int().min(1).optional(),
    maxDf: z.number().gt(0).max(1).optional(),
    maxFeatures: z.number().int().positive().optional(),
  })
  .refine((b) => b.ngramRange[0] <= b.ngramRange[1], { message: 'ngramRange must be [min, max] with min <= max', path: ['ngramRange'] });
export type SparseBlock = z.output<typeof SparseBlockSchema>;
export type SparseBlockInput = z.input<typeof SparseBlockSchema>;

export const DEFAULT_SPARSE_BLOCKS: SparseBlockInput[] = [
  { analyzer: 'word', ngramRange: [1, 2] },
  { analyzer: 'char_wb', ngramRange: [2, 5] },
];

/** Configuration of a sparse text featurizer (serialisable: it is stored in model files). */
export const SparseTextConfigSchema = z.object({
  lowercase: z.boolean().default(true),
  /** Unicode normalisation applied before anything else ('NFKC' folds compatibility forms such as full-width letters). */
  normalization: z.enum(['none', 'NFC', 'NFKC']).default('none'),
  /** Remove combining marks after NFD decomposition ("café" -> "cafe"). */
  stripAccents: z.boolean().default(false),
  /** 'unicode' (letters/numbers/marks, see tokenize.ts), 'whitespace', or a name given to `registerTokenizer`. */
  tokenizer: z.string().min(1).default('unicode'),
  /** Word tokens shorter than this many code points are dropped (scikit-learn's default pattern keeps 2+). */
  minTokenLength: z.number().int().min(1).default(1),
  blocks: z.array(SparseBlockSchema).min(1).prefault(DEFAULT_SPARSE_BLOCKS),
  /** 'fit': a vocabulary of the n-grams seen in training (keyed by 32-bit hash); 'hash': 2^hashBits buckets per block. */
  vocabulary: z.enum(['fit', 'hash']).default('fit'),
  hashBits: z.number().int().min(4).max(24).default(18),
  /** Keep n-grams found in at least this many training documents. */
  minDf: z.number().int().min(1).default(1),
  /** Drop n-grams found in more than this fraction of training documents. */
  maxDf: z.number().gt(0).max(1).default(1),
  /** Keep at most this many n-grams per block (most frequent by document frequency). */
  maxFeatures: z.number().int().positive().optional(),
  /** Term frequency is 0/1. */
  binary: z.boolean().default(false),
  /** Term frequency tf becomes 1 + ln(tf). */
  sublinearTf: z.boolean().default(true),
  useIdf: z.boolean().default(true),
  /** idf = ln((1 + n) / (1 + df)) + 1 (as if one extra document held every term); otherwise ln(n / df) + 1. */
  smoothIdf: z.boolean().default(true),
  /** Per-block row normalisation. */
  norm: z.enum(['l2', 'none']).default('l2'),
  /** Keep the n-gram strings of a fitted vocabulary (for `featureNames()`, e.g. to describe clusters). */
  keepTerms: z.boolean().default(false),
});
export type SparseTextConfig = z.output<typeof SparseTextConfigSchema>;
export type SparseTextConfigInput = z.input<typeof SparseTextConfigSchema>;

export const SPARSE_FEATURIZER_STATE_VERSION = 1 as const;

/** A fitted featurizer as JSON (typed arrays as little-endian base64). */
export const SparseTextFeaturizerStateSchema = z.object({
  kind: z.literal('sparse-text'),
  version: z.literal(SPARSE_FEATURIZER_STATE_VERSION),
  config: SparseTextConfigSchema,
  documents: z.number().int().nonnegative(),
  blocks: z.array(
    z.object({
      size: z.number().int().nonnegative(),
      /** Sorted uint32 n-gram keys of a fitted vocabulary; feature i of the block is keys[i]. */
      keys: z.string().optional(),
      /** float32 idf per feature of the block. */
      idf: z.string().optional(),
      terms: z.array(z.string()).optional(),
    }),
  ),
});
export type SparseTextFeaturizerState = z.infer<typeof SparseTextFeaturizerStateSchema>;
