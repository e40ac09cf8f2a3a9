/**
 * The table of `strata` subcommands. A module adds its command by writing `src/cli/commands/<name>.ts` and adding one
 * line here; `strata --help` lists them in this order.
 */
import type { Command } from '../command.ts';
import { demoCommand } from './demo.ts';
import { serveCommand } from './serve.ts';
import { linalgCommand } from './linalg.ts';
import { forecastCommand } from './forecast.ts';
import { quereCommand } from './quere.ts';
import { nnCommand } from './nn.ts';
import { diffusionCommand } from './diffusion.ts';
import { pdeCommand } from './pde.ts';
import { boundsCommand } from './bounds.ts';
import { complexityCommand } from './complexity.ts';

export const commands: readonly Command[] = [demoCommand, serveCommand, linalgCommand, forecastCommand, quereCommand, nnCommand, diffusionCommand, pdeCommand, boundsCommand, complexityCommand];
