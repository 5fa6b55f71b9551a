/** The CLI's commands as `coax help` and argument parsing see them: usage, flags and notes of each. */
import { GENERATED_SUITES } from '../src/core/tasks/builtin-suites.ts';
import { DTYPES } from '../src/worker/dtypes.ts';
import type { CommandSpec } from './args.ts';

const BATCH = { name: 'batch', value: '<n>', help: 'rows per forward pass (default 8)' };
const MODELS_DIR = { name: 'models-dir', value: '<dir>', help: 'where model folders live (default public/models)' };

export const COMMANDS: Record<string, CommandSpec> = {
  run: {
    usage:
      'coax run --model <id>[,…] --suite <name|file>[,…] --methods <file|id,id…> [--seed 1] [--out results.json] …',
    summary: 'run elicitation methods on suites with a local ONNX model; prints the summary table',
    flags: [
      {
        name: 'model',
        value: '<id>[,…]',
        help: "a model folder under --models-dir, e.g. coax/organism-v1 (see coax list); several\nseparated by commas run the same suites, methods and seed one after another\n(coax/organism-v1,coax/organism-v1-rlvr); shipped suites are the first model's",
      },
      {
        name: 'suite',
        value: '<name|file>[,…]',
        help: `suites separated by commas: a generated suite (${Object.keys(GENERATED_SUITES).join(', ')};\nsettings as coin-flip:n=4), a suite the model ships (<models-dir>/<id>/suites/<name>.json),\nor a file: Coax suite JSON, JSONL, JSON records, CSV or TSV, GSM8K's format\n(mapping as data.csv:question=<col>:answer=<col>)`,
      },
      {
        name: 'methods',
        value: '<file|id,id…>',
        help: 'built-in method ids separated by commas (see coax list), or a JSON file with an\narray of ids and/or method objects',
      },
      { name: 'seed', value: '<n>', help: 'sampling seed, 0 … 4294967295 (default 1)' },
      {
        name: 'out',
        value: '<file>',
        help: 'write the results file (the format the page exports and imports; coax show reads it);\nchecked before the run starts',
      },
      { name: 'limit', value: '<n>', help: 'use only the first n items of each suite (default: all of them)' },
      { name: 'batch', value: '<n>', help: 'rows per forward pass, at least 1 (default 8)' },
      {
        name: 'dtype',
        value: '<dtype>',
        help: `weights to load: ${DTYPES.join(', ')}, of those the model folder has (onnx/model*.onnx;\ncoax list shows them); default fp32, else the first the folder has`,
      },
      { name: 'count', value: '<n>', help: 'items a generated suite makes (default 100)' },
      { name: 'suite-seed', value: '<n>', help: 'seed of the generated suites, 0 … 4294967295 (default 1)' },
      {
        name: 'path-tokens',
        value: '<all|none>',
        help: "none keeps each sampled path's text, answer and verdict but not its token trace\n(a run of 256 samples per item stays small); default all",
      },
      MODELS_DIR,
    ],
    notes:
      'Ctrl-C cancels after the current step. Example:\n  coax run --model coax/organism-v1 --suite arith-id --methods greedy-plain,trigger --limit 20 --out r.json',
  },
  sweep: {
    usage:
      'coax sweep --model <id> --suite <name>[,…] [--layers 0,1,2,3] [--scales 2,4,8] [--pairs shots|trigger] [--method greedy-plain] …',
    summary: "activation steering: choose layer × scale on the first suite's exemplar pool, measure on test items",
    flags: [
      { name: 'model', value: '<id>', help: 'a Coax export with hidden-state I/O, e.g. coax/organism-v1' },
      {
        name: 'suite',
        value: '<name>[,…]',
        help: 'suites as for coax run; the first gives the steering vector (its exemplar pool) and the choice',
      },
      { name: 'layers', value: '<l,…>', help: 'layers to steer, 0-based (default: every layer)' },
      {
        name: 'scales',
        value: '<s,…>',
        help: 'multiples of the CAA vector (the mean worked − direct residual; default 1,2,4,8)',
      },
      {
        name: 'pairs',
        value: '<kind>',
        help: 'CAA contrast pairs: shots (worked vs direct examples, default) or trigger',
      },
      { name: 'method', value: '<id>', help: 'the method to steer (default greedy-plain)' },
      {
        name: 'features',
        value: '<k>',
        help: "steer by SAE features instead of CAA: per layer (default: those with a shipped SAE),\nthe top k of the feature browser's ranking (see --rank)",
      },
      {
        name: 'rank',
        value: '<how>',
        help: "with --features: votes (default: each worked exemplar answer's top 5 by highest\nactivation) or contrast (mean activation at the last prompt token, --pairs positive −\nnegative; the browser's 'more active than the other trace')",
      },
      {
        name: 'positions',
        value: '<where,…>',
        help: 'where the vector is added, a list to choose from: all, answer (last prompt token and\ngenerated tokens), last (last prompt token only); default all,answer,last',
      },
      {
        name: 'max-new-tokens',
        value: '<n>',
        help: 'tokens per answer for the base and the steered method (default 96: room for a worked chain)',
      },
      { name: 'seed', value: '<n>', help: 'seed, 0 … 4294967295 (default 1)' },
      { name: 'limit', value: '<n>', help: 'test items per suite (default: all)' },
      BATCH,
      { name: 'out', value: '<file>', help: 'write the test run (base and best steered method, vector included)' },
      { name: 'count', value: '<n>', help: 'items a generated suite makes (default 100)' },
      { name: 'suite-seed', value: '<n>', help: 'seed of the generated suites (default 1)' },
      MODELS_DIR,
    ],
    notes:
      'Example:\n  coax sweep --model coax/organism-v1 --suite arith-id,facts-tail --layers 1,2 --scales 4,8 --limit 50',
  },
  lens: {
    usage: 'coax lens --model <id> --suite <name>[,…] --methods <id,…> [--limit n] [--seed 1]',
    summary: "logit lens: the layer where each right answer's first token becomes top-1 and stays there",
    flags: [
      { name: 'model', value: '<id>', help: 'a Coax export with hidden-state I/O and lens outputs' },
      { name: 'suite', value: '<name>[,…]', help: 'suites as for coax run' },
      { name: 'methods', value: '<id,…>', help: 'methods as for coax run (e.g. greedy-plain,trigger)' },
      { name: 'seed', value: '<n>', help: 'seed (default 1)' },
      { name: 'limit', value: '<n>', help: 'items per suite (default: all)' },
      BATCH,
      MODELS_DIR,
    ],
  },
  compare: {
    usage: 'coax compare <results.json>[,…] [--suite <name>] [--method <id>] [--criterion answer|verified|both]',
    summary:
      'the models of a multi-model run side by side: pass@k curves, crossover k, items solved at any k, worked share',
    argument:
      'a results file of a run over several models (coax run --model a,b), or several files separated by\ncommas: one-model runs of the same setup, each model possibly split into chunks of items;\nor pass summaries (tools/pass-summary.ts, training/organism/measured/*.summary.json)',
    flags: [
      { name: 'suite', value: '<name>', help: 'only this suite (default: every suite)' },
      {
        name: 'criterion',
        value: '<answer|verified|both>',
        help: 'what solves an item: the right answer (default), a verified worked trace (every\nstep of a digit chain right: cannot be guessed), or both, one after the other',
      },
      {
        name: 'method',
        value: '<id>',
        help: 'the method whose pass@k and coverage are compared (default: every method with\nseveral paths per item)',
      },
    ],
  },
  list: {
    usage: 'coax list [--model <id>] [--models-dir <dir>]',
    summary: 'models in public/models with their suites and dtypes, and the built-in methods',
    flags: [{ name: 'model', value: '<id>', help: 'only this model' }, MODELS_DIR],
  },
  show: {
    usage: 'coax show <results.json> [--format table|markdown|grid|json|csv]',
    summary: 'the summary of a results file: a CLI --out file or a page export, of any version',
    argument: 'a results file',
    flags: [
      {
        name: 'format',
        value: '<format>',
        help: 'table (default, as coax run prints), markdown (the data card table), grid (suites ×\nmethods, the README table), json (the rows) or csv (the leaderboard with every metric\nof the registry, src/core/metrics/suite-metrics.ts)',
      },
    ],
  },
  card: {
    usage: 'coax card <results.json> --model-dir <dir>',
    summary: "write the measured table and claims into a model's data card (data_card.json, DATA_CARD.md)",
    argument: 'a results file',
    flags: [{ name: 'model-dir', value: '<dir>', help: 'the model folder holding data_card.json' }],
    notes: 'npm run organism:card does this for public/models/coax/organism-v1 from organism-results.json.',
  },
};

export const INTRO = 'coax — run elicitation methods on a local ONNX base model (same core as the page)';
