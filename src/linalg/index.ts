/**
 * strata/linalg — compositional linear algebra (CoLA, Potapczynski et al., NeurIPS 2023, in TypeScript): lazy
 * operators that know their structure, operations that dispatch on it through explicit rule tables, and Krylov /
 * randomized algorithms for everything else. Blocks are column-major `Mat`s.
 */
import './combinators.ts';
import './ops/inv.ts';
import './ops/logdet.ts';
import './ops/eig.ts';
import './ops/trace.ts';
import './ops/unary.ts';
import './ops/factor.ts';

// Blocks and errors
export { type Mat, type LinalgDType, type FloatArray, mat, zerosMat, eyeMat, fromRows, fromTensor, toTensor, toRows, fromRowMajor, transposeMat, matmulMat, relError, fnorm } from './mat.ts';
export { SingularError, NotPositiveDefiniteError, PreconditionError, NotImplementedForOperator, ConvergenceError } from './errors.ts';
// Operators and annotations
export { LinearOperator, PSD, SelfAdjoint, Unitary, withAnnotations } from './operator.ts';
export type { Annotation } from './annotations.ts';
export { Dense, Triangular, lazify } from './operators/dense.ts';
export { Diagonal, Identity, ScalarMul } from './operators/diagonal.ts';
export { Sum, Product, Transpose } from './operators/composite.ts';
export { Kronecker, KronSum } from './operators/kronecker.ts';
export { BlockDiag, Block, LowRank, Sliced, Concatenated } from './operators/blocks.ts';
export { Permutation, Tridiagonal, Householder, householderFor, DCT } from './operators/special.ts';
export { Sparse } from './operators/sparse.ts';
export { Circulant, Toeplitz, ConvolveND } from './operators/fft.ts';
export { fft, fftN } from './fft.ts';
export { FunctionOperator, fromFunction, noDispatch, Jacobian, Hessian, jacobianOf, Kernel, rbf } from './operators/function.ts';
export { dot, add, mul, transpose, kron, kronsum, blockDiag, block, lowRank, concatenate, identity, diagonal, dense } from './combinators.ts';
// Algorithms
export { Auto, Cholesky, LU, Eigh, Eig, LSTSQ, Exact, CG, GMRES, MINRES, Lanczos, Arnoldi, PowerIteration, LOBPCG, Hutch, HutchPP, SLQ } from './algorithms/config.ts';
export type { Algorithm, IterInfo } from './algorithms/config.ts';
export { cg } from './algorithms/cg.ts';
export { gmres } from './algorithms/gmres.ts';
export { minres } from './algorithms/minres.ts';
export { lobpcg } from './algorithms/lobpcg.ts';
export { Nystrom, type NystromOpts } from './algorithms/nystrom.ts';
export { lanczos, lanczosBlock, type Reorth, type LanczosResult } from './algorithms/lanczos.ts';
export { krylovEig, type Which } from './algorithms/krylov-eig.ts';
export { hutchinsonTrace, hutchinsonDiag, hutchPlusPlus, hutchPP, slq, powerIteration } from './algorithms/stochastic.ts';
// Operations
export { inv, solve, solveWithInfo } from './ops/inv.ts';
export { IterativeInverse } from './ops/common.ts';
export { slogdet, logdet, type Slogdet } from './ops/logdet.ts';
export { eig, eigmax, eigmin, type EigResult } from './ops/eig.ts';
export { trace, diag } from './ops/trace.ts';
export { applyUnary, exp, log, pow, sqrt, isqrt, type UnaryFn } from './ops/unary.ts';
export { svd, cholesky, plu, pinv, type SvdResult, type PLU } from './ops/factor.ts';
// Staged storage: run a block of products as one operation (one refresh of staged copies; see kernels/staging.ts)
export { operation } from './kernels/staging.ts';
// Dispatch
export { explain } from './explain.ts';
export { registerRule, unregisterRule, ruleOrder, type Rule, type OpName } from './dispatch/table.ts';
// Dense kernels (column-major Float64Array)
export { choleskyInPlace } from './dense/cholesky.ts';
export { luFactor, luSolve, luSlogdet } from './dense/lu.ts';
export { levinsonSolve, durbinPivots } from './dense/levinson.ts';
export { qr, orth } from './dense/qr.ts';
export { eigh, eighTridiagonal } from './dense/eigh.ts';
export { eigGeneral } from './dense/eig.ts';
export { svdJacobi } from './dense/svd.ts';
export { expm } from './dense/expm.ts';
// Gradients
export { solveAD, logdetAD } from './grad.ts';
