// Cluster-wide /metrics: the primary gathers each worker's metrics as JSON and merges them with
// prom-client's aggregator. A worker that does not answer in time is left out, not waited for.
import type { Worker as ClusterWorker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { PrimaryMessage } from './messages.ts';

export const COLLECT_TIMEOUT_MS = 1000;

export interface ClusterMetricsCollector {
  /** Prometheus text for the whole cluster, from the workers that answered within the timeout. */
  collect(workers: ClusterWorker[]): Promise<string>;
  /** Feed a worker's 'metrics-json' answer in. */
  answer(reqId: number, json: unknown): void;
}

export function createClusterMetrics(timeoutMs = COLLECT_TIMEOUT_MS): ClusterMetricsCollector {
  let nextId = 1;
  const pending = new Map<number, (json: unknown) => void>();

  function ask(worker: ClusterWorker): Promise<unknown> {
    const reqId = nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(reqId);
        resolve(undefined);
      }, timeoutMs);
      pending.set(reqId, (json) => {
        clearTimeout(timer);
        pending.delete(reqId);
        resolve(json);
      });
      // With a callback a send to a closed channel reports to it, not as the worker's 'error' event.
      const gone = () => pending.get(reqId)?.(undefined); // channel closed: the worker is going away
      if (!worker.isConnected()) return gone();
      worker.send({ t: 'metrics-collect', reqId } satisfies PrimaryMessage, (err: Error | null) => {
        if (err) gone();
      });
    });
  }

  return {
    async collect(workers) {
      const answers = await Promise.all(workers.map(ask));
      const arrays = answers.filter((a): a is object[] => Array.isArray(a));
      const registry: Registry = AggregatorRegistry.aggregate(arrays);
      const note = [
        '# HELP loadlab_metrics_workers Workers asked for metrics, and how many answered in time',
        '# TYPE loadlab_metrics_workers gauge',
        `loadlab_metrics_workers{answered="true"} ${arrays.length}`,
        `loadlab_metrics_workers{answered="false"} ${workers.length - arrays.length}`,
        '',
      ].join('\n');
      return (await registry.metrics()) + note;
    },
    answer(reqId, json) {
      pending.get(reqId)?.(json);
    },
  };
}
