// The slice of autocannon's programmatic API that engine/closed.ts uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  interface AutocannonClient extends EventEmitter {
    requestIterator: { context: Record<string, unknown>; resetContext(): void; rebuildRequest(): unknown };
  }
  interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest | null;
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  }
  interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
    timeout?: number;
    sampleInt?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: AutocannonRequest[];
    setupClient?: (client: AutocannonClient) => void;
    excludeErrorStats?: boolean;
    [option: string]: unknown;
  }
  /** The aggregated result autocannon resolves with (loadlab reads its own histograms instead). */
  interface AutocannonResult {
    [field: string]: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  }
  interface AutocannonInstance extends EventEmitter {
    stop(): void;
  }
  function autocannon(
    opts: AutocannonOptions,
    cb: (err: Error | null, result: AutocannonResult) => void,
  ): AutocannonInstance;
  function autocannon(opts: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
  export type { AutocannonClient, AutocannonRequest, AutocannonOptions, AutocannonInstance, AutocannonResult };
}
