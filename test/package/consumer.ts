// Type-checked by scripts/consumer-smoke.sh with `tsc --noEmit` (strict, nodenext) inside a fresh project that
// installed the packed tarball: Strata's declarations must resolve and type this file without errors.
import { Rng, Tensor, tensor, matmul, type FloatDType } from 'strata/core';
import { valueAndGrad } from 'strata/autodiff';
import { adamw } from 'strata/optim';
import { kron, diagonal, solve, logdet, type LinearOperator, type Mat } from 'strata/linalg';
import { mlpInit, mlp, crossEntropy, type MlpParams } from 'strata/nn';
import { forecast, fitScaler, type ForecastResult, type Scaler } from 'strata/forecast';
import type { LanguageModel } from 'strata/llm';
import * as strata from 'strata';

const dtype: FloatDType = 'float64';
const product: Tensor = matmul(tensor([[1, 2]]), tensor([[3], [4]]));
const op: LinearOperator = kron(diagonal([2, 3], dtype), diagonal([5, 7], dtype));
const x: Mat = solve(op, new Float64Array([10, 14, 15, 21]));
const ld: number = logdet(op);

const rng = new Rng(0);
const params: MlpParams = mlpInit(rng, [4, 8, 3]);
const opt = adamw(params, { lr: 1e-3 });
const lossAndGrad = valueAndGrad((p: MlpParams, input: Tensor, labels: Int32Array) => crossEntropy(mlp(p, input), labels));
const { value, grad } = lossAndGrad(params, rng.normal([2, 4]), Int32Array.from([0, 2]));
opt.step(grad);

const scaler: Scaler = fitScaler([1, 2, 3]);
async function run(model: LanguageModel): Promise<ForecastResult> {
  return forecast([1, 2, 3, 4], 2, { model, numSamples: 2 });
}
// @ts-expect-error: the declarations are precise enough to reject a string where a LinearOperator is expected.
solve('not an operator', x);

export { product, ld, value, scaler, run, strata };
