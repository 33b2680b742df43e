// The method line under the KPI table: machine, cores, Node, the generator's threads and arrivals, phase lengths,
// connections and rates (pure).
import type { Arrivals, Environment, PhaseReport } from './model.ts';

/** The phase plan the method line describes (the ladder's settings satisfy it). */
export interface MethodSettings {
  quick: boolean;
  warmupSec: number;
  closedSec: number;
  openSec: number;
  connections: number;
  /** The open phase's rate as a fraction of the closed phase's throughput. */
  loadFraction: number;
  /** --target: the deployment loadlab loaded but did not start. */
  target?: string;
  /** The generator threads asked for (--generator-threads or its default) and the open phases' arrivals. */
  generatorThreads?: number;
  arrivals?: Arrivals;
  /** --trials: the measured phases repeated on one deployment (--fresh: a new deployment each); the table shows their medians. */
  trials?: number;
  fresh?: boolean;
}

export interface MethodInputs {
  environment: Environment;
  settings: MethodSettings;
  /** e.g. "Level 0: 1 worker(s), cache off, embedded PostgreSQL; open at 812 req/s". */
  runs: string[];
  /** Levels share one phase plan; the other benches describe their phases in `runs`. */
  ladder: boolean;
  /** The run's phases: the monitor's own cost (`monitor`), the generator threads and arrivals they really used. */
  phases?: Partial<Pick<PhaseReport, 'monitor' | 'generator' | 'arrivals'>>[];
}

export function describeMethod(m: MethodInputs): string {
  const e = m.environment;
  const s = m.settings;
  const where = s.target
    ? `load from this machine (${e.cpus} cores, ${e.cpuModel}) to ${s.target}`
    : `${e.cpuModel}, ${e.cpus} cores shared by the SUT, PostgreSQL and the load generator (one Node process)`;
  const closed = `${s.closedSec}s closed phase (${s.connections} connections, throughput)`;
  const open = `${s.openSec}s open phase at ${Math.round(s.loadFraction * 100)}% of that throughput`;
  const phases = `${s.warmupSec}s warm-up + ${closed} + ${open} (latency, from intended send times)`;
  const stability = s.quick
    ? '--quick: short phases for smoke runs, figures are indicative only'
    : 'default phase lengths: at the rates below an open phase collects tens of thousands of latency samples, so its p99 rests on hundreds of them';
  const trials =
    (s.trials ?? 1) > 1
      ? `; ${s.trials} trials of the measured phases ${s.fresh ? 'each on a fresh deployment' : "on one deployment after one warm-up (every open phase at the first trial's rate)"}, the table shows each figure's median over the trials (run.json keeps every trial)`
      : '';
  const plan = m.ladder
    ? `each level: ${phases}${trials}; ${stability}`
    : `${s.warmupSec}s warm-up first${trials}; ${stability}`;
  const monitor = describeMonitorCost(m.phases ?? []);
  const generator = describeGenerator(m);
  const machine = `${where}; Node ${e.node}, ${e.os}`;
  return [machine, ...(generator ? [generator] : []), plan, ...m.runs, ...(monitor ? [monitor] : [])].join('. ') + '.';
}

/**
 * "load generator: 3 threads of 8 cores, uniform arrivals in open phases": the threads and arrivals the phases
 * really used (the most threads any phase had), else those asked for; "(4 asked)" when the two differ.
 */
export function describeGenerator(m: Pick<MethodInputs, 'environment' | 'settings' | 'phases'>): string | undefined {
  const phases = m.phases ?? [];
  const used = phases.flatMap((p) => (p.generator ? [p.generator.threads ?? 1] : []));
  const asked = m.settings.generatorThreads;
  const threads = used.length ? Math.max(...used) : asked;
  if (threads === undefined) return undefined;
  const askedText = asked !== undefined && asked !== threads ? ` (${asked} asked)` : '';
  const arrivalsUsed = [...new Set(phases.flatMap((p) => (p.arrivals ? [p.arrivals] : [])))];
  const arrivals = arrivalsUsed.length ? arrivalsUsed.join(' and ') : m.settings.arrivals;
  const cores = `${threads} thread${threads === 1 ? '' : 's'} of ${m.environment.cpus} cores${askedText}`;
  return `load generator: ${cores}${arrivals ? `, ${arrivals} arrivals in open phases` : ''}`;
}

/**
 * The monitor's own cost over the phases (pure), e.g. "monitor: 0.4 ms per sample on the generator's main thread,
 * 9 processes and 12 threads of the generator's process (…) read each second; postgres not sampled (external)"; undefined without samples.
 */
export function describeMonitorCost(phases: Pick<PhaseReport, 'monitor'>[]): string | undefined {
  const costs = phases.flatMap((p) => (p.monitor ? [p.monitor] : []));
  const samples = costs.reduce((n, c) => n + c.samples, 0);
  if (samples === 0) return undefined;
  const ms = costs.reduce((sum, c) => sum + c.msPerSample * c.samples, 0) / samples;
  const processes = Math.round(Math.max(...costs.map((c) => c.processes)));
  const threads = Math.round(Math.max(...costs.map((c) => c.threads)));
  const read = `${processes} process${processes === 1 ? '' : 'es'}${threads ? ` and ${threads} threads of the generator's process (its event loop, sender threads, Node's own)` : ''}`;
  const notSampled = [...new Set(costs.flatMap((c) => c.notSampled ?? []))];
  const external = notSampled.length ? `; ${notSampled.join(', ')} not sampled (external)` : '';
  return `monitor: ${formatMs(ms)} ms per sample on the generator's main thread, ${read} read each second${external}`;
}

function formatMs(ms: number): string {
  return ms >= 10 ? String(Math.round(ms)) : ms >= 0.1 ? ms.toFixed(1) : ms.toFixed(2);
}
