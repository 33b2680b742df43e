// Builds a Scenario from a JSON file or from ad-hoc --path/--method/--header/--body options.
import { readFileSync } from 'node:fs';
import { ScenarioError } from '../errors.ts';
import { routePattern, SEED_TOKEN_NAMES, unknownSeedTokens } from './template.ts';
import { scenarioSchema, type Scenario, type Step, type StepInput } from './types.ts';

export function normalizeStep(input: StepInput): Step {
  const method = input.method ?? 'GET';
  const body =
    input.body === undefined ? undefined : typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
  const headers = { ...(input.headers ?? {}) };
  if (body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  return {
    name: input.name ?? routePattern(method, input.path),
    method,
    path: input.path,
    headers,
    body,
    expectStatus: input.expectStatus,
    expectKeys: input.expectKeys,
    capture: input.capture,
    thinkTimeMs: input.thinkTimeMs ?? 0,
  };
}

/** Validates parsed JSON as a scenario; every problem is named by its path in the file. */
export function parseScenario(json: unknown, source = 'scenario'): Scenario {
  const result = scenarioSchema.safeParse(json);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ScenarioError(`${source}: ${problems.join('; ')}`);
  }
  const data = result.data;
  const scenario: Scenario = {
    name: data.name,
    journeys: data.journeys.map((j) => ({ name: j.name, weight: j.weight, steps: j.steps.map(normalizeStep) })),
    stages: data.stages,
    thresholds: data.thresholds,
  };
  checkSeedTokens(scenario, source);
  return scenario;
}

/** A misspelt `{seed:…}` token would otherwise be sent as literal text and fail only at verification. */
function checkSeedTokens(scenario: Scenario, source: string): void {
  const problems = scenario.journeys.flatMap((journey, j) =>
    journey.steps.flatMap((step, s) => {
      const unknown = [step.path, step.body ?? '', ...Object.values(step.headers)].flatMap(unknownSeedTokens);
      return unknown.map((token) => `journeys.${j}.steps.${s}: unknown token ${token}`);
    }),
  );
  if (problems.length) {
    const known = SEED_TOKEN_NAMES.map((name) => `{seed:${name}}`).join(', ');
    throw new ScenarioError(`${source}: ${problems.join('; ')} (known: ${known})`);
  }
}

export function loadScenarioFile(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ScenarioError(`--scenario: cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ScenarioError(`--scenario: ${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return parseScenario(json, file);
}

/** A one-step scenario for `loadlab run --path ...`. */
export function createAdHocScenario(step: StepInput): Scenario {
  return { name: 'ad-hoc', journeys: [{ name: 'ad-hoc', weight: 1, steps: [normalizeStep(step)] }] };
}
