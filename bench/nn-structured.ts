/**
 * Structured linear layers (spec nn): forward + backward time of one layer on a batch, for every structure at
 * (a) equal multiply-adds per vector and (b) equal parameter count, against the dense layer they replace
 * (d = 256, 65,536 MACs and parameters). BTT, low-rank and Monarch have params = MACs, so one width serves both;
 * Kronecker needs a far wider layer to spend the same parameters. The op column says which comparison a row is.
 * Runs in `npm run bench` (ENTRIES in bench/run.ts) or standalone: `npx tsx bench/nn-structured.ts`.
 */
import { Rng, sum } from '../src/core/index.ts';
import { valueAndGrad } from '../src/autodiff/index.ts';
import { structured as S } from '../src/nn/index.ts';
import { timeBest, type BenchCase } from './harness.ts';

const BATCH = 256;

function layerCase(op: string, layer: S.StructuredLayer, batch = BATCH): BenchCase {
  return {
    op,
    size: `${layer.description}, B=${batch} (${layer.macs.toLocaleString('en-US')} MACs, ${layer.params.toLocaleString('en-US')} params)`,
    dtype: 'float32',
    unit: 'ms',
    setup() {
      const rng = new Rng(0);
      const p = layer.init(rng);
      const x = rng.normal([batch, layer.dIn], { dtype: 'float32' });
      const aux = S.createAuxCollector();
      const f = valueAndGrad((q: S.StructuredParams) => sum(layer.apply(q, x, aux)));
      return () => { f(p); aux.losses.length = 0; };
    },
    reference: null,
  };
}

export const cases: BenchCase[] = [
  layerCase('nn fwd+bwd dense (baseline)', S.dense(256, 256)),
  layerCase('nn fwd+bwd equal MACs+params', S.btt(1024, 1024)),
  layerCase('nn fwd+bwd equal MACs+params', S.btt(400, 400, { rank: 4 })),
  layerCase('nn fwd+bwd equal MACs+params', S.lowRank(1024, 1024)),
  layerCase('nn fwd+bwd equal MACs+params', S.monarch(360, 360, { blocks: 4 })),
  layerCase('nn fwd+bwd equal MACs', S.kronecker(1024, 1024)),
  layerCase('nn fwd+bwd equal MACs', S.einsum(1024, 1024, { theta: [0.5, 0.25, 0.25, 0.25, 0.5, 0.25, 0] })),
  layerCase('nn fwd+bwd equal MACs', S.tt(1000, 1000, { cores: 3, rank: 2 })),
  layerCase('nn fwd+bwd equal active MACs', S.bttMoE(512, 512, { experts: 8, topK: 2 })),
  // The dense layer with BTT-MoE 512's active MACs (196,608·2/8 + 512·8 = 53,248 = 208·256): its target is ≤ 1.5×.
  layerCase('nn fwd+bwd dense at MoE active MACs', S.dense(208, 256)),
  // Kronecker spends 2d parameters: d = 32768 for 65,536 (a far costlier layer; smaller batch).
  layerCase('nn fwd+bwd equal params', S.kronecker(32768, 32768), 16),
];

// Standalone: print one line per case.
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const c of cases) {
    const t = timeBest(c.setup());
    console.log(`${c.op.padEnd(34)} ${(t.seconds * 1000).toFixed(3).padStart(9)} ms  ${c.size}`);
  }
}
