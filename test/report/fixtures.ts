/**
 * Test-only experiments for the runner, CLI, report and browser tests. They compute their figures for real (seeded),
 * cover every chart kind (line with band on log–log axes, scatter, bar with categories), and include one experiment
 * that throws and one whose text tries to inject markup. They are never registered in src/experiments/registry.ts.
 */
import type { Experiment, ExperimentResult } from '../../src/experiments/contract.ts';
import { RuntimeFailure } from '../../src/core/errors.ts';

/** mulberry32: a tiny seeded 32-bit generator, enough for fixtures. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Least-squares slope and intercept of y on x. */
function fit(x: number[], y: number[]): { slope: number; intercept: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

export const monteCarloFixture: Experiment = {
  name: 'fixture-mc-rate',
  system: 'core',
  paper: 'Test fixture (no paper): the Monte Carlo rate',
  claim: 'The error of a Monte Carlo mean estimate decays like n^(-1/2).',
  budgetSeconds: { full: 1, quick: 1 },
  command: 'node --import tsx --test test/report/*.test.ts',
  async run(ctx): Promise<ExperimentResult> {
    const random = rng(ctx.seed);
    const sizes = ctx.quick ? [10, 30, 100, 300, 1000] : [10, 30, 100, 300, 1000, 3000, 10000];
    const repeats = 20;
    const median: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    for (const [k, n] of sizes.entries()) {
      const errors: number[] = [];
      for (let r = 0; r < repeats; r++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += random();
        errors.push(Math.abs(sum / n - 0.5));
      }
      errors.sort((a, b) => a - b);
      median.push(quantile(errors, 0.5));
      lo.push(quantile(errors, 0.1));
      hi.push(quantile(errors, 0.9));
      ctx.progress.update(k + 1, sizes.length, 'sizes');
    }
    const { slope } = fit(sizes.map(Math.log10), median.map(Math.log10));
    const reproduced = Math.abs(slope + 0.5) < 0.15;
    ctx.progress.log(`fitted slope ${slope.toFixed(3)}`);
    return {
      verdict: reproduced ? 'reproduced' : 'not reproduced',
      summary: `Fitted log–log slope ${slope.toFixed(3)} against the theoretical −0.5.`,
      setup: `${repeats} repeats of a uniform mean at ${sizes.length} sample sizes, seed ${ctx.seed}.`,
      metrics: { slope, 'median error at largest n': median[median.length - 1]! },
      reference: { slope: -0.5 },
      figures: [
        {
          id: 'error-vs-n',
          title: 'Error of the mean vs sample size',
          kind: 'line',
          xLabel: 'samples n',
          yLabel: '|mean − 0.5|',
          logX: true,
          logY: true,
          series: [
            { name: 'median error (10–90% band)', x: sizes, y: median, band: { lo, hi } },
            { name: '0.29 / √n', x: sizes, y: sizes.map((n) => Math.sqrt(1 / 12) / Math.sqrt(n)) },
          ],
          caption: 'Both curves fall one decade per two decades of n.',
        },
      ],
      tables: [
        {
          title: 'Median error per size',
          columns: ['n', 'median error'],
          rows: sizes.map((n, i) => [n, median[i]!]),
        },
      ],
    };
  },
};

export const scatterFixture: Experiment = {
  name: 'fixture-scatter',
  system: 'nn',
  paper: 'Test fixture (no paper): least squares on noisy data',
  claim: 'Least squares recovers a slope of 2 from 200 noisy points to within 0.05.',
  budgetSeconds: { full: 1, quick: 1 },
  command: 'node --import tsx --test test/report/*.test.ts',
  async run(ctx): Promise<ExperimentResult> {
    const random = rng(ctx.seed + 1);
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 200; i++) {
      const xi = random() * 10;
      x.push(xi);
      y.push(2 * xi + 1 + (random() + random() + random() - 1.5) * 2);
    }
    const { slope, intercept } = fit(x, y);
    const err = Math.abs(slope - 2);
    return {
      verdict: err < 0.05 ? 'reproduced' : err < 0.2 ? 'partly reproduced' : 'not reproduced',
      summary: `Fitted slope ${slope.toFixed(4)}, intercept ${intercept.toFixed(3)}.`,
      setup: '200 points, x uniform on [0, 10], noise a sum of three uniforms.',
      metrics: { slope, intercept },
      reference: { slope: 2, intercept: 1 },
      figures: [
        {
          id: 'points',
          title: 'Noisy points and the fitted line',
          kind: 'scatter',
          xLabel: 'x',
          yLabel: 'y',
          series: [
            { name: 'data', x, y },
            { name: 'fit', x: [0, 10], y: [intercept, intercept + 10 * slope] },
          ],
        },
      ],
      tables: [],
    };
  },
};

export const barFixture: Experiment = {
  name: 'fixture-bars',
  system: 'linalg',
  paper: 'Test fixture (no paper): operation counts',
  claim: 'A Kronecker matvec of two m×m factors needs 2m³ multiplies against m⁴ for the dense product.',
  budgetSeconds: { full: 1, quick: 1 },
  command: 'node --import tsx --test test/report/*.test.ts',
  async run(): Promise<ExperimentResult> {
    const ms = [4, 8, 16, 32];
    // (A⊗B)·vec(X) = vec(B·X·Aᵀ): two m×m matrix products instead of one m²×m² matvec.
    const dense = ms.map((m) => m ** 4);
    const kron = ms.map((m) => 2 * m ** 3);
    const ratio = dense[dense.length - 1]! / kron[kron.length - 1]!;
    return {
      verdict: 'reproduced',
      summary: `At m = 32 the structured product needs ${ratio}× fewer multiplies.`,
      setup: 'Multiply counts for m = 4, 8, 16, 32.',
      metrics: { 'speedup at m=32': ratio },
      reference: { 'speedup at m=32': 16 },
      figures: [
        {
          id: 'counts',
          title: 'Multiplies per matvec',
          kind: 'bar',
          xLabel: 'factor size',
          yLabel: 'multiplies',
          logY: true,
          categories: ms.map((m) => `m = ${m}`),
          series: [
            { name: 'dense', x: [0, 1, 2, 3], y: dense },
            { name: 'Kronecker', x: [0, 1, 2, 3], y: kron },
          ],
        },
      ],
      tables: [],
    };
  },
};

export const failingFixture: Experiment = {
  name: 'fixture-fails',
  system: 'forecast',
  paper: 'Test fixture (no paper): a diverging run',
  claim: 'This experiment throws, to show how the report marks a failure <script>alert("claim")</script>.',
  budgetSeconds: { full: 1, quick: 1 },
  command: 'strata demo --only fixture-fails',
  async run(): Promise<ExperimentResult> {
    throw new RuntimeFailure('solver diverged at step 3 <img src=x onerror=alert(1)>');
  },
};

/** A foundation check (not a paper claim): rendered apart, outside the tally. Passes when 2 + 2 sums to 4. */
export const checkFixture: Experiment = {
  name: 'fixture-check',
  kind: 'check',
  system: 'core',
  paper: 'Test fixture: a foundation check',
  claim: 'Adding two and two gives four.',
  budgetSeconds: { full: 1, quick: 1 },
  command: 'strata demo --only fixture-check',
  async run(): Promise<ExperimentResult> {
    const sum = 2 + 2;
    return { verdict: sum === 4 ? 'reproduced' : 'not reproduced', summary: `2 + 2 = ${sum}.`, setup: 'Arithmetic.', metrics: { sum }, reference: { sum: '4 (target)' }, figures: [], tables: [] };
  },
};

export const fixtureExperiments: Experiment[] = [monteCarloFixture, scatterFixture, barFixture, failingFixture, checkFixture];
