/**
 * strata/autodiff — reverse-mode differentiation over the core's primitives: grad, valueAndGrad, vjp, jvp
 * (double-vjp), custom rules, and finite-difference checks. Rules live in one table (`rules.ts`).
 */
export { grad, valueAndGrad, vjp, jvp, customVjp, stopGradient, checkGrad, type GradCheckResult } from './api.ts';
export { leaves, unflatten, mapTree, type Tree } from './tree.ts';
export { VJP, sumTo, type VjpRule, type RuleArgs } from './rules.ts';
export { Tape } from './tape.ts';
export { noGrad } from '../core/index.ts';
