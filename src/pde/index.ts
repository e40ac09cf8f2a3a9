/**
 * strata/pde — Neural IVP (Finzi, Potapczynski, Choptuik & Wilson, ICLR 2023): initial-value PDEs solved by
 * evolving the parameters of a neural network with regularised, Nyström-preconditioned matrix-free least squares
 * and restarts; the EDNN-style baseline; a finite-difference grid solver for the same problems; a catalogue of
 * problems with analytic solutions and a pointwise API for user-supplied PDEs.
 */
export { definePde, validatePde, evalRhs, pointValues, samplePoints, type PDE, type PointRhs, type PointDerivatives } from './problem.ts';
export { advection, heat, wave2d, eigenmode, problem, PROBLEMS } from './pdes.ts';
export { neuralIvpMlp, ednnMlp, paramCount, initParams, evaluate, layout, type NetConfig, type NetFamily, type BoundaryMode } from './net.ts';
export { spatialEval, parameterJacobian, DERIVATIVE_TERMS, type DerivativeTerm, type SpatialEval, type JacobianBlock } from './derivatives.ts';
export { applyM, applyJ, applyJt, normalOperator, spectrum, solvePcg, solveDense, nystromPreconditioner, type LsSystem, type SolveInfo, type SpectrumEstimate } from './lsq.ts';
export { rk4Step, rk23Step, StepSizeCollapse, type IntegratorOptions, type Dynamics } from './integrators.ts';
export { fitNetwork, type FitOptions, type FitResult } from './fit.ts';
export { NeuralIVP, ednnOptions, type NeuralIvpOptions, type RestartPolicy, type StepRecord, type RestartEvent, type Trajectory } from './solver.ts';
export * as nets from './nets.ts';
export * as pdes from './pdes.ts';
export { solveGrid, gridCost, GridTooLarge, type GridOptions, type GridResult, type GridCost } from './grid.ts';
