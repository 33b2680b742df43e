// /api/tasks: enqueue a background job (202 + Location) and read its state; 503 while there is no queue.
import { Hono } from 'hono';
import { z } from 'zod';
import { NotFoundError, UnavailableError } from '../errors.ts';
import { reportArgsSchema } from '../jobs/report.ts';
import { GET_REDIS_HINT, type TaskQueue } from '../jobs/task.ts';
import { type AppDeps, type AppEnv, requireAuth } from './deps.ts';
import { parseId, readJson } from './input.ts';

export interface TaskDeps {
  /** Absent when the SUT runs without Redis: every task route then answers 503. */
  queue?: TaskQueue;
}

const enqueueSchema = z.strictObject({
  type: z.literal('generate_report'),
  args: reportArgsSchema,
});

function requireQueue(deps: TaskDeps): TaskQueue {
  if (!deps.queue) {
    throw new UnavailableError(
      'SUT_QUEUE_UNAVAILABLE',
      `the job queue is not configured: this SUT runs without Redis; ${GET_REDIS_HINT}`,
    );
  }
  return deps.queue;
}

export function taskRoutes(deps: AppDeps & TaskDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  // Input is checked before the queue, so a bad request is a 4xx whether or not Redis is up.
  app.post('/', requireAuth(deps), async (c) => {
    const input = await readJson(c, enqueueSchema);
    const { id } = await requireQueue(deps).enqueue(input);
    c.header('Location', `${c.req.path.replace(/\/+$/, '')}/${id}`);
    return c.json({ id, state: 'queued' as const }, 202);
  });

  app.get('/:id', async (c) => {
    // BullMQ's own ids are increasing integers; anything else cannot be a task.
    const id = String(parseId(c.req.param('id'), 'task id'));
    const view = await requireQueue(deps).get(id);
    if (!view) throw new NotFoundError(`task ${id}`);
    return c.json(view);
  });

  return app;
}
