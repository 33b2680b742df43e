// The load generator's options, shared by `run` and the ladder commands: threads, arrivals, answer sampling and the
// response-header tally. Declared as data; validated into GeneratorSettings, whose values go into run.json's config.
import { availableParallelism } from 'node:os';
import { UsageError } from '../errors.ts';
import type { Arrivals } from '../report/model.ts';
import type { OptionSpec, ParsedOptions } from './args.ts';

export const ARRIVALS: readonly Arrivals[] = ['uniform', 'poisson'];
export const DEFAULT_CHECK_SAMPLE = 0.01;

export const GENERATOR_OPTIONS: OptionSpec[] = [
  {
    name: 'generator-threads',
    type: 'integer',
    valueName: 'N',
    description:
      'worker threads that send the load (default: the cores this machine can spare — half of them when loadlab ' +
      'starts the SUT here, all but one when it loads a --target)',
  },
  {
    name: 'arrivals',
    type: 'string',
    valueName: 'KIND',
    default: 'uniform',
    description: 'open model: uniform (evenly spaced) or poisson (seeded) arrivals; a scenario stage may set its own',
  },
  {
    name: 'check-sample',
    type: 'fraction',
    valueName: 'F',
    default: DEFAULT_CHECK_SAMPLE,
    description:
      'share of responses checked like verification (status, keys, the id asked for); a wrong answer fails the run; 0 = off',
  },
  {
    name: 'tally-header',
    type: 'string',
    valueName: 'NAME',
    description: 'count each value of this response header per phase (e.g. x-node-id; off unless a level sets it)',
  },
];

/** What the generator options settle to; these names are also SessionOptions' and run.json config's. */
export interface GeneratorSettings {
  generatorThreads: number;
  arrivals: Arrivals;
  checkSample: number;
  tallyHeader?: string;
}

/**
 * The one rule for the default thread count: the cores the load generator can take without starving the SUT. When
 * loadlab starts the SUT on this machine, the two share it half and half; against a --target (another machine, or
 * one loadlab did not start) all cores but one, which is left to the main thread and the OS.
 */
export function defaultGeneratorThreads(sutOnThisMachine: boolean, cores = availableParallelism()): number {
  return Math.max(1, sutOnThisMachine ? Math.floor(cores / 2) : cores - 1);
}

/** Reads the generator options; `sutOnThisMachine` says whether loadlab starts the SUT here (no --target). */
export function createGeneratorSettings(
  o: ParsedOptions,
  sutOnThisMachine: boolean,
  cores = availableParallelism(),
): GeneratorSettings {
  const tallyHeader = o['tally-header'] as string | undefined;
  return {
    generatorThreads:
      (o['generator-threads'] as number | undefined) ?? defaultGeneratorThreads(sutOnThisMachine, cores),
    arrivals: parseArrivals(o.arrivals as string | undefined, '--arrivals') ?? 'uniform',
    checkSample: (o['check-sample'] as number | undefined) ?? DEFAULT_CHECK_SAMPLE,
    ...(tallyHeader !== undefined ? { tallyHeader: parseHeaderName(tallyHeader) } : {}),
  };
}

/** uniform or poisson, or a UsageError naming `where`; undefined stays undefined. */
export function parseArrivals(value: string | undefined, where: string): Arrivals | undefined {
  if (value === undefined) return undefined;
  if ((ARRIVALS as readonly string[]).includes(value)) return value as Arrivals;
  throw new UsageError(`${where}: expected ${ARRIVALS.join(' or ')}, got "${value}"`);
}

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parseHeaderName(value: string): string {
  if (!HEADER_NAME.test(value)) throw new UsageError(`--tally-header: "${value}" is not a header name`);
  return value.toLowerCase();
}
