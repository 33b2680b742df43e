// A virtual user's walk through the scenario: picks weighted journeys, expands templates, keeps captured variables.
import type { Journey, Scenario, Step } from './types.ts';
import { createRandom, expandTemplate, hasPlaceholders, readPath, type TemplateContext } from './template.ts';

export interface PreparedRequest {
  step: Step;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export class Session {
  private readonly ctx: TemplateContext;
  private journey: Journey;
  private stepIndex = 0;

  constructor(
    private readonly scenario: Scenario,
    seed: number,
  ) {
    this.ctx = { random: createRandom(seed), seq: 0, vars: {} };
    this.journey = this.pickJourney();
  }

  /** The next request of the current journey; a finished journey is followed by a freshly picked one. */
  next(): PreparedRequest {
    if (this.stepIndex >= this.journey.steps.length) {
      this.journey = this.pickJourney();
      this.stepIndex = 0;
    }
    const step = this.journey.steps[this.stepIndex++] as Step;
    this.ctx.seq += 1;
    return prepareRequest(step, this.ctx);
  }

  /**
   * Stores the values a step captures from its JSON response (e.g. a login token). When one is missing (the step
   * failed, timed out, or answered without it) the rest of the journey is dropped and the next request starts a
   * new one: its later steps would go out with an empty value (`PUT /api/users/` → 404) and fail for the
   * generator's reason, not the server's.
   */
  onResponse(step: Step, bodyText: string | undefined): void {
    if (!step.capture) return;
    let json: unknown;
    try {
      json = bodyText === undefined ? undefined : JSON.parse(bodyText);
    } catch {
      json = undefined;
    }
    let complete = true;
    for (const [name, path] of Object.entries(step.capture)) {
      const value = readPath(json, path);
      if (value === undefined || value === null) {
        complete = false;
        continue;
      }
      // Numbers and booleans print as String() would; an object or array is kept as its JSON, not "[object Object]".
      this.ctx.vars[name] = typeof value === 'string' ? value : JSON.stringify(value);
    }
    if (!complete && this.journey.steps.includes(step)) this.stepIndex = this.journey.steps.length;
  }

  private pickJourney(): Journey {
    const journeys = this.scenario.journeys;
    const total = journeys.reduce((sum, j) => sum + j.weight, 0);
    let ticket = this.ctx.random() * total;
    for (const journey of journeys) {
      ticket -= journey.weight;
      if (ticket < 0) return journey;
    }
    return journeys[journeys.length - 1] as Journey;
  }
}

export function prepareRequest(step: Step, ctx: TemplateContext): PreparedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.headers)) headers[k] = expandTemplate(v, ctx);
  return {
    step,
    method: step.method,
    path: expandTemplate(step.path, ctx),
    headers,
    body: step.body === undefined ? undefined : expandTemplate(step.body, ctx),
  };
}

/** True when every request is the same bytes, so an engine can build it once. */
export function isStaticScenario(scenario: Scenario): boolean {
  if (scenario.journeys.length !== 1) return false;
  const steps = scenario.journeys[0]?.steps ?? [];
  if (steps.length !== 1) return false;
  const step = steps[0] as Step;
  const texts = [step.path, step.body ?? '', ...Object.values(step.headers)];
  return !step.capture && !texts.some(hasPlaceholders);
}

export function scenarioSteps(scenario: Scenario): Step[] {
  return scenario.journeys.flatMap((j) => j.steps);
}

export function needsBody(step: Step): boolean {
  return step.capture !== undefined;
}
