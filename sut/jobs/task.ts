// The task queue's contract: what callers enqueue, what they read back, and what a processor receives.

export type TaskType = 'generate_report';
export type TaskState = 'queued' | 'active' | 'completed' | 'failed';

export interface TaskInput {
  type: TaskType;
  args: Record<string, unknown>;
}

export interface TaskView {
  id: string;
  type: string;
  state: TaskState;
  result?: unknown;
  error?: string;
  createdAt: string; // ISO 8601
  finishedAt?: string; // ISO 8601, once completed or failed
}

/** BullMQ's job counts, with everything not yet picked up (prioritized, waiting-children) folded into `waiting`. */
export interface TaskCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

/** What a processor gets: the task without BullMQ types, so work functions are testable on their own. */
export interface TaskJob {
  id: string;
  type: string;
  args: unknown;
}

export type TaskWork = (job: TaskJob) => Promise<unknown>;

export interface TaskQueue {
  enqueue(input: TaskInput): Promise<{ id: string }>;
  /** Null when no task has that id (never existed, or removed by the retention limits). */
  get(id: string): Promise<TaskView | null>;
  counts(): Promise<TaskCounts>;
  /** False while Redis is unreachable; enqueue/get/counts then fail at once with SUT_QUEUE_UNAVAILABLE. */
  available(): boolean;
  /** Resolves true once Redis is connected (at once if it is), false after `timeoutMs`; start-up awaits it. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export const DEFAULT_QUEUE_NAME = 'loadlab-tasks';

/** Printed with every SUT_QUEUE_UNAVAILABLE, so a 503 tells the user how to get Redis. */
export const GET_REDIS_HINT =
  'get Redis: apt-get install redis-server (loadlab starts it from PATH), docker compose up -d redis, or set REDIS_URL=redis://host:6379';
