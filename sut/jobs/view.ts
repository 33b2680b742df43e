// Turns a BullMQ job and its state into the API's TaskView (pure: no Redis here).
import type { TaskState, TaskView } from './task.ts';

/** The fields of a BullMQ job the view needs; a structural type keeps this testable without Redis. */
export interface JobLike {
  id?: string;
  name: string;
  returnvalue: unknown;
  failedReason?: string;
  timestamp: number;
  finishedOn?: number;
}

/** BullMQ's states collapsed to the four a client cares about; 'unknown' means the job just vanished. */
export function toTaskState(state: string): TaskState | null {
  switch (state) {
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    case 'failed':
      return 'failed';
    case 'unknown':
      return null;
    default:
      return 'queued'; // waiting, delayed, prioritized, paused, waiting-children
  }
}

export function toTaskView(job: JobLike, bullState: string): TaskView | null {
  const state = toTaskState(bullState);
  if (state === null || job.id === undefined) return null;
  const view: TaskView = { id: job.id, type: job.name, state, createdAt: new Date(job.timestamp).toISOString() };
  if (state === 'completed') view.result = job.returnvalue;
  if (state === 'failed') view.error = job.failedReason || 'the task failed without a message';
  if ((state === 'completed' || state === 'failed') && job.finishedOn)
    view.finishedAt = new Date(job.finishedOn).toISOString();
  return view;
}
