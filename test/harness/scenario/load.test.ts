// Reading scenarios: every example file parses; a misspelt {seed:…} token is a scenario error naming the step.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAdHocScenario, loadScenarioFile, parseScenario } from '../../../harness/scenario/load.ts';

const EXAMPLES = new URL('../../../harness/scenario/examples/', import.meta.url).pathname;
const exampleFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

describe('example scenarios', () => {
  it('there are the three documented examples', () => {
    expect(exampleFiles.sort()).toEqual(['read-only.json', 'teams.json', 'users.json']);
  });

  it.each(exampleFiles)('%s loads, names every step and logs in with {seed:…} tokens only', (file) => {
    const scenario = loadScenarioFile(join(EXAMPLES, file));
    for (const step of scenario.journeys.flatMap((j) => j.steps)) {
      expect(step.name).toMatch(/^(GET|POST|PUT|DELETE) \/api\//);
      expect(step.body ?? '').not.toMatch(/@example\.|loadlab-demo|password"\s*:\s*"[^{]/);
    }
  });
});

describe('parseScenario seed tokens', () => {
  it('accepts the known tokens', () => {
    const scenario = parseScenario({
      journeys: [{ name: 'j', steps: [{ path: '/u/{seed:userId}', body: { e: '{seed:userEmail}' } }] }],
    });
    expect(scenario.journeys[0]!.steps[0]!.path).toBe('/u/{seed:userId}');
  });

  it.each([
    [{ path: '/u/{seed:user}' }, 'journeys.0.steps.0: unknown token {seed:user}'],
    [{ path: '/u', headers: { a: '{seed:token}' } }, 'journeys.0.steps.0: unknown token {seed:token}'],
    [{ path: '/u', body: { password: '{seed:pass}' } }, 'journeys.0.steps.0: unknown token {seed:pass}'],
  ])('rejects %j', (step, problem) => {
    const known = '(known: {seed:userId}, {seed:teamId}, {seed:userEmail}, {seed:password})';
    expect(() => parseScenario({ journeys: [{ name: 'j', steps: [step] }] }, 'f.json')).toThrow(
      `f.json: ${problem} ${known}`,
    );
  });

  it('lets an ad-hoc --path use seed tokens', () => {
    expect(createAdHocScenario({ path: '/api/users/{seed:userId}' }).journeys[0]!.steps[0]!.name).toBe(
      'GET /api/users/:param',
    );
  });
});
