// Path/header/body templates: the placeholders a scenario step may use, and how each one is expanded.
//
//   {randomInt:MIN:MAX}  an integer drawn from MIN..MAX (inclusive)
//   {seq}                the session's request counter (1, 2, …)
//   {uuid}               a random UUID
//   {var:NAME}           a value captured from an earlier response of the journey (`capture`)
//   {seed:userId}        a random seeded user id, 1..SEED_USERS
//   {seed:teamId}        a random seeded team id, 1..SEED_TEAMS
//   {seed:userEmail}     a random seeded user's email (user<n>@example.test)
//   {seed:password}      the seeded users' demo password
// The {seed:…} values come from lib/seed-contract.ts, so a scenario logs in as users `npm start` has seeded.
import { randomUUID } from 'node:crypto';
import { DEMO_PASSWORD, SEED_TEAMS, SEED_USERS, seedEmail } from '../../lib/seed-contract.ts';

export interface TemplateContext {
  random: () => number;
  seq: number;
  vars: Record<string, string>;
}

function drawInt(random: () => number, lo: number, hi: number): number {
  return lo + Math.floor(random() * (hi - lo + 1));
}

/** The `{seed:NAME}` tokens; each draws from the context's seeded random so a run is repeatable. */
const SEED_TOKENS: Readonly<Record<string, (random: () => number) => string>> = {
  userId: (random) => String(drawInt(random, 1, SEED_USERS)),
  teamId: (random) => String(drawInt(random, 1, SEED_TEAMS)),
  userEmail: (random) => seedEmail(drawInt(random, 1, SEED_USERS)),
  password: () => DEMO_PASSWORD,
};

export const SEED_TOKEN_NAMES: readonly string[] = Object.keys(SEED_TOKENS);

const PLACEHOLDER = new RegExp(
  `\\{(randomInt:(-?\\d+):(-?\\d+)|seq|uuid|var:([A-Za-z_]\\w*)|seed:(${SEED_TOKEN_NAMES.join('|')}))\\}`,
  'g',
);
/** Any `{seed:…}` token, known or not: a misspelt one is a scenario error rather than literal text. */
const SEED_TOKEN = /\{seed:([^{}]*)\}/g;

export function hasPlaceholders(text: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(text);
}

/** The `{seed:NAME}` tokens in `text` whose NAME is not one of SEED_TOKEN_NAMES. */
export function unknownSeedTokens(text: string): string[] {
  return [...text.matchAll(SEED_TOKEN)].filter((m) => !SEED_TOKEN_NAMES.includes(m[1] ?? '')).map((m) => m[0]);
}

export function expandTemplate(text: string, ctx: TemplateContext): string {
  if (!text.includes('{')) return text;
  const expand = (_all: string, kind: string, min?: string, max?: string, varName?: string, seed?: string): string => {
    if (min !== undefined && max !== undefined) return String(drawInt(ctx.random, Number(min), Number(max)));
    if (seed !== undefined) return SEED_TOKENS[seed]!(ctx.random);
    if (kind === 'seq') return String(ctx.seq);
    if (kind === 'uuid') return randomUUID();
    return ctx.vars[varName ?? ''] ?? '';
  };
  return text.replace(PLACEHOLDER, expand);
}

/** The default route pattern of a path template: each placeholder segment becomes `:param`. */
export function routePattern(method: string, pathTemplate: string): string {
  const path = pathTemplate.split('?')[0] ?? pathTemplate;
  return `${method} ${path.replace(/\{[^}]*\}/g, ':param')}`;
}

export { createRandom } from '../../lib/random.ts';

/** Reads a dotted path (`data.token`, `items.0.id`) from parsed JSON. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
