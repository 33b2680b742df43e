// Scenario format (journeys of steps, stages, thresholds), validated with zod when read from a file.
// path, headers and body are templates: the placeholders they take ({seed:userId}, {var:token}, …) are in template.ts.
import { z } from 'zod';

const stepSchema = z.object({
  name: z.string().min(1).optional(),
  method: z
    .string()
    .regex(/^[A-Z]+$/, 'an upper-case HTTP method')
    .default('GET'),
  path: z.string().startsWith('/'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.unknown().optional(),
  expectStatus: z.union([z.number().int(), z.array(z.number().int()).nonempty()]).optional(),
  expectKeys: z.array(z.string()).optional(),
  capture: z.record(z.string(), z.string()).optional(),
  thinkTimeMs: z.number().nonnegative().default(0),
});

const journeySchema = z.object({
  name: z.string().min(1),
  weight: z.number().positive().default(1),
  steps: z.array(stepSchema).nonempty(),
});

const stageSchema = z.object({
  name: z.string().min(1),
  duration: z.string(),
  rate: z.number().positive().optional(),
  fromRate: z.number().nonnegative().optional(),
  connections: z.number().int().positive().optional(),
  judged: z.boolean().optional(),
  /** Open stages: uniform or poisson arrivals; beats the command line's --arrivals. */
  arrivals: z.enum(['uniform', 'poisson']).optional(),
});

export const scenarioSchema = z.object({
  name: z.string().default('scenario'),
  journeys: z.array(journeySchema).nonempty(),
  stages: z.array(stageSchema).optional(),
  thresholds: z.array(z.string()).optional(),
});

export type StepInput = z.input<typeof stepSchema>;
export type StageInput = z.infer<typeof stageSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** One request template; `name` is the route pattern the per-endpoint stats are keyed by. */
export interface Step {
  name: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  expectStatus?: number | number[];
  expectKeys?: string[];
  capture?: Record<string, string>;
  thinkTimeMs: number;
}

export interface Journey {
  name: string;
  weight: number;
  steps: Step[];
}

export interface Scenario {
  name: string;
  journeys: Journey[];
  stages?: StageInput[];
  thresholds?: string[];
}
