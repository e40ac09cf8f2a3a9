/**
 * The contract between a system's miniature experiment and the demo runner / report (`strata demo`).
 * Types only: modules implement `Experiment`, the CLI runs them and renders `ExperimentResult`s.
 */

export type SystemName = 'core' | 'nn' | 'linalg' | 'forecast' | 'quere' | 'bounds' | 'pde' | 'diffusion' | 'complexity';
/** `inconclusive`: the run is too small to tell (its margins do not exceed the measured noise). */
export type Verdict = 'reproduced' | 'partly reproduced' | 'inconclusive' | 'not reproduced';

/** Reports progress of long work; the CLI draws a bar on a TTY and stays silent otherwise. */
export interface ProgressSink {
  /** `done` of `total` units finished; `label` names the unit or phase ("epoch 3", "queries"). */
  update(done: number, total: number, label?: string): void;
  /** Free-form log line (stderr in the CLI, never stdout). */
  log(message: string): void;
}

export interface ExperimentContext {
  /**
   * This experiment's seed: `deriveSeed(userSeed, experiment.name)` (core), so it depends on the user's `--seed` and
   * the experiment's name, never on its position in the registry or on which other experiments run.
   */
  seed: number;
  /** Smaller budget for smoke runs (`strata demo --quick`). */
  quick: boolean;
  /**
   * Longer, closer-to-the-paper settings (`strata demo --extended`): more widths, steps and seeds where an experiment
   * has them. The default run must stay within a few minutes in total; experiments without a longer setting ignore it.
   */
  extended: boolean;
  progress: ProgressSink;
  /** Absolute path of the shared data folder (`../shared/data` from the repo root) or null when absent. */
  sharedDataDir: string | null;
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** Optional uncertainty band drawn behind the line (e.g. 10–90% quantiles). */
  band?: { lo: number[]; hi: number[] };
}

export interface Figure {
  id: string;
  title: string;
  kind: 'line' | 'scatter' | 'bar';
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  series: Series[];
  /**
   * Bar charts only, optional: names of the categories; a bar's x value is then an index into this list
   * (x = 0 → categories[0]). Without it, bars are labelled by their x values.
   */
  categories?: string[];
  /** One-sentence caption: what the reader should see. */
  caption?: string;
  /** Line/scatter only, optional: the x-axis spans exactly the data's range (ticks inside it) instead of rounding out to nice values. */
  tightX?: boolean;
}

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
}

export interface ExperimentResult {
  verdict: Verdict;
  /** One paragraph: what happened, in numbers, beside the paper's. */
  summary: string;
  /** How the miniature was set up (data, sizes, budget). */
  setup: string;
  metrics: Record<string, number | string | null>;
  /** The paper's figures for the same metrics, where they exist (same keys as `metrics`). */
  reference: Record<string, number | string | null>;
  figures: Figure[];
  tables: Table[];
}

export interface Experiment {
  /** Short kebab-case identifier, used by `strata demo --only <name>`. */
  name: string;
  system: SystemName;
  /** Paper title (and venue/year). */
  paper: string;
  /** The claim this experiment tests, as one sentence. */
  claim: string;
  /**
   * 'claim' (default): a paper's claim, counted in the reproduction tally. 'check': a test of Strata's own code (a
   * foundation check), shown as passed/failed in its own report section and outside the tally; its verdict is
   * 'reproduced' when it passes and 'not reproduced' when it fails.
   */
  kind?: 'claim' | 'check';
  /** Expected wall time on 2 cores in seconds: the default run (`full`), `--quick`, and `--extended` where it differs. */
  budgetSeconds: { full: number; quick: number; extended?: number };
  /** The shell command that reproduces this experiment alone. */
  command: string;
  /**
   * Reports wall-clock timings (or is otherwise disturbed by a neighbour on the other core): the runner then starts it
   * only when no other experiment is running and starts none beside it. Default false.
   */
  exclusive?: boolean;
  run(ctx: ExperimentContext): Promise<ExperimentResult>;
}
