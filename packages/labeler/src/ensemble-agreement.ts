/**
 * Agreement among the models of an ensemble, accumulated record by record as counts (pair confusion counts, not
 * label lists), so memory stays bounded on 10M-record runs. Kappa uses the same definition and degenerate-case
 * convention as core's `cohenKappa` (po - pe) / (1 - pe), pe = 1 -> 1 when po = 1 else 0.
 */
export interface PairAgreement {
  a: string;
  b: string;
  /** Records both models answered. */
  n: number;
  agreement: number;
  kappa: number;
}

export interface EnsembleAgreementReport {
  models: string[];
  /** Records where at least one model answered. */
  records: number;
  /** Records every model answered. */
  allAnswered: number;
  /** Records where every model answered the same label (share of allAnswered). */
  unanimous: number;
  unanimousShare: number;
  /** Records decided with fewer than all models (some failed). */
  partial: number;
  pairwise: PairAgreement[];
}

interface PairCounts {
  n: number;
  agree: number;
  a: Map<string, number>;
  b: Map<string, number>;
}

export class EnsembleAgreement {
  private records = 0;
  private allAnswered = 0;
  private unanimous = 0;
  private partial = 0;
  private readonly pairs: PairCounts[] = [];

  constructor(private readonly models: readonly string[]) {
    for (let i = 0; i < models.length; i++) {
      for (let j = i + 1; j < models.length; j++) this.pairs.push({ n: 0, agree: 0, a: new Map(), b: new Map() });
    }
  }

  /** One record: each model's vote key (label id or the none key), undefined where the model failed. */
  add(keys: readonly (string | undefined)[]): void {
    const answered = keys.filter((k) => k !== undefined).length;
    if (answered === 0) return;
    this.records++;
    if (answered === keys.length) {
      this.allAnswered++;
      if (keys.every((k) => k === keys[0])) this.unanimous++;
    } else {
      this.partial++;
    }
    let p = 0;
    for (let i = 0; i < keys.length; i++) {
      for (let j = i + 1; j < keys.length; j++, p++) {
        const ka = keys[i];
        const kb = keys[j];
        if (ka === undefined || kb === undefined) continue;
        const c = this.pairs[p]!;
        c.n++;
        if (ka === kb) c.agree++;
        c.a.set(ka, (c.a.get(ka) ?? 0) + 1);
        c.b.set(kb, (c.b.get(kb) ?? 0) + 1);
      }
    }
  }

  report(): EnsembleAgreementReport {
    const pairwise: PairAgreement[] = [];
    let p = 0;
    for (let i = 0; i < this.models.length; i++) {
      for (let j = i + 1; j < this.models.length; j++, p++) {
        const c = this.pairs[p]!;
        const po = c.n === 0 ? 0 : c.agree / c.n;
        let pe = 0;
        for (const [k, x] of c.a) pe += (x / c.n) * ((c.b.get(k) ?? 0) / c.n);
        const kappa = c.n === 0 ? 0 : 1 - pe <= 1e-12 ? (po === 1 ? 1 : 0) : (po - pe) / (1 - pe);
        pairwise.push({ a: this.models[i]!, b: this.models[j]!, n: c.n, agreement: po, kappa });
      }
    }
    return {
      models: [...this.models],
      records: this.records,
      allAnswered: this.allAnswered,
      unanimous: this.unanimous,
      unanimousShare: this.allAnswered === 0 ? 0 : this.unanimous / this.allAnswered,
      partial: this.partial,
      pairwise,
    };
  }
}
