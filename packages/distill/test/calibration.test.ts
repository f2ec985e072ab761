import { describe, expect, it } from 'vitest';
import { createRng } from '@taxonomist/core';
import { fitScale, meanLogLoss } from '../src/index.js';

describe('fitScale (temperature calibration)', () => {
  it('recovers the temperature that generated the labels', () => {
    const rng = createRng(42);
    const K = 4;
    const n = 6000;
    const trueScale = 2.5;
    const z = new Float64Array(n * K);
    const y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p: number[] = [];
      for (let k = 0; k < K; k++) {
        z[i * K + k] = rng.normal();
        p.push(Math.exp(trueScale * z[i * K + k]!));
      }
      const s = p.reduce((a, b) => a + b, 0);
      let u = rng.next() * s;
      let k = 0;
      while (k < K - 1 && u >= p[k]!) u -= p[k++]!;
      y[i] = k;
    }
    const a = fitScale(z, K, { kind: 'single', y });
    expect(a).toBeGreaterThan(2.3);
    expect(a).toBeLessThan(2.7);
    // It is the minimiser: nearby scales have a higher log-loss.
    const best = meanLogLoss(z, K, y, a);
    expect(meanLogLoss(z, K, y, a * 1.05)).toBeGreaterThan(best);
    expect(meanLogLoss(z, K, y, a / 1.05)).toBeGreaterThan(best);
  });

  it('fits a sigmoid scale for multi-label targets', () => {
    const rng = createRng(1);
    const n = 4000;
    const z = new Float64Array(n);
    const Y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      z[i] = rng.normal() * 2;
      Y[i] = rng.next() < 1 / (1 + Math.exp(-0.5 * z[i]!)) ? 1 : 0;
    }
    const a = fitScale(z, 1, { kind: 'multi', Y });
    expect(a).toBeGreaterThan(0.4);
    expect(a).toBeLessThan(0.6);
  });
});
