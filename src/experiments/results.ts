/**
 * The shape of `report/results.json`, written by `strata demo` and read by the HTML report. The per-experiment fields
 * the issue fixes (name, system, paper, claim, verdict, metrics, reference, seconds) come first; the rest carries
 * what the report shows (setup, figures, tables, the reproducing command) and what a reader needs to trust the run
 * (status and error of failed experiments, environment, options).
 */
import type { Figure, SystemName, Table, Verdict } from './contract.ts';

export const resultsSchema = 'strata-demo-results/1';

export interface ExperimentRecord {
  name: string;
  system: SystemName;
  paper: string;
  claim: string;
  /** 'check' for a foundation check (outside the reproduction tally); absent in files written before it existed = 'claim'. */
  kind?: 'claim' | 'check';
  /** A failed experiment did not reproduce anything: its verdict is 'not reproduced' and `status` says why. */
  verdict: Verdict;
  metrics: Record<string, number | string | null>;
  reference: Record<string, number | string | null>;
  /** Wall time of `run`, seconds. */
  seconds: number;
  status: 'ok' | 'failed';
  /** Present when status is 'failed'. */
  error?: { name: string; message: string };
  summary: string;
  setup: string;
  command: string;
  budgetSeconds: { full: number; quick: number; extended?: number };
  figures: Figure[];
  tables: Table[];
}

export interface EnvironmentInfo {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  strataVersion: string;
  gitCommit: string | null;
  sharedData: boolean;
}

export interface DemoResults {
  schema: typeof resultsSchema;
  createdAt: string;
  options: { seed: number; quick: boolean; extended: boolean; only: string[] | null };
  environment: EnvironmentInfo;
  totalSeconds: number;
  experiments: ExperimentRecord[];
  /**
   * Present only while a run is under way (results.json is rewritten after each experiment): the selected
   * experiments that had not finished. A file that still has it comes from an interrupted run.
   */
  pending?: string[];
}
