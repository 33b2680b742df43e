// The IPC messages between the cluster primary and its workers.

export type WorkerMessage =
  | { t: 'ready'; pid: number; port: number }
  | { t: 'metrics-req'; reqId: number }
  | { t: 'metrics-json'; reqId: number; json: unknown };

export type PrimaryMessage =
  /** reload: the other workers keep serving (idle sockets get a grace); stop: the node goes away. */
  | { t: 'drain'; mode: 'reload' | 'stop' }
  | { t: 'metrics-res'; reqId: number; body: string; contentType: string }
  | { t: 'metrics-collect'; reqId: number };

export function isMessage<T extends { t: string }>(value: unknown): value is T {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}
