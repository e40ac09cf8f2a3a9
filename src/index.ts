/**
 * `strata` (the package root): every public module as a namespace, for `import { linalg } from 'strata'`. Prefer
 * the subpaths (`strata/linalg`, …) in applications: they load only the module you use. A new module adds one line
 * here and one entry in package.json's `exports`.
 */
export * as core from './core/index.ts';
export * as autodiff from './autodiff/index.ts';
export * as optim from './optim/index.ts';
export * as linalg from './linalg/index.ts';
export * as nn from './nn/index.ts';
export * as llm from './llm/index.ts';
export * as forecast from './forecast/index.ts';
export * as quere from './quere/index.ts';
export * as diffusion from './diffusion/index.ts';
export * as pde from './pde/index.ts';
export * as bounds from './bounds/index.ts';
export * as complexity from './complexity/index.ts';
