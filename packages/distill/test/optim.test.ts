import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from '../src/index.js';

describe('minimizeLbfgs', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const res = minimizeLbfgs(
      (x, g) => {
        const [a, b] = [x[0]!, x[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.from([-1.2, 1]),
      { maxIterations: 500, gradTol: 1e-10, fTol: 0 },
    );
    expect(res.x[0]).toBeCloseTo(1, 4);
    expect(res.x[1]).toBeCloseTo(1, 4);
    expect(res.f).toBeLessThan(1e-8);
  });

  it('solves a convex quadratic exactly and honours the early-stopping callback', () => {
    // f = 1/2 sum d_i (x_i - c_i)^2
    const d = [1, 10, 100];
    const c = [3, -2, 0.5];
    const fg = (x: Float64Array, g: Float64Array): number => {
      let f = 0;
      for (let i = 0; i < 3; i++) {
        g[i] = d[i]! * (x[i]! - c[i]!);
        f += 0.5 * d[i]! * (x[i]! - c[i]!) ** 2;
      }
      return f;
    };
    const res = minimizeLbfgs(fg, new Float64Array(3), { maxIterations: 100, gradTol: 1e-12, fTol: 0 });
    c.forEach((ci, i) => expect(res.x[i]).toBeCloseTo(ci, 6));
    const stopped = minimizeLbfgs(fg, new Float64Array(3), { maxIterations: 100, onIteration: (it) => (it === 2 ? 'stop' : 'continue') });
    expect(stopped.iterations).toBe(2);
    expect(stopped.reason).toBe('callback');
  });
});
