// Path/header/body templates: {randomInt:MIN:MAX}, {seq}, {uuid} and {var:NAME} (a value captured from an earlier response).
import { randomUUID } from 'node:crypto';

export interface TemplateContext {
  random: () => number;
  seq: number;
  vars: Record<string, string>;
}

const PLACEHOLDER = /\{(randomInt:(-?\d+):(-?\d+)|seq|uuid|var:([A-Za-z_][\w]*))\}/g;

export function hasPlaceholders(text: string): boolean {
  PLACEHOLDER.lastIndex = 0;
  return PLACEHOLDER.test(text);
}

export function expandTemplate(text: string, ctx: TemplateContext): string {
  if (!text.includes('{')) return text;
  return text.replace(PLACEHOLDER, (_all, kind: string, min?: string, max?: string, varName?: string) => {
    if (min !== undefined && max !== undefined) {
      const lo = Number(min);
      const hi = Number(max);
      return String(lo + Math.floor(ctx.random() * (hi - lo + 1)));
    }
    if (kind === 'seq') return String(ctx.seq);
    if (kind === 'uuid') return randomUUID();
    return ctx.vars[varName ?? ''] ?? '';
  });
}

/** The default route pattern of a path template: each placeholder segment becomes `:param`. */
export function routePattern(method: string, pathTemplate: string): string {
  const path = pathTemplate.split('?')[0] ?? pathTemplate;
  return `${method} ${path.replace(/\{[^}]*\}/g, ':param')}`;
}

/** Seeded PRNG (mulberry32) so runs pick the same ids and journeys. */
export function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reads a dotted path (`data.token`, `items.0.id`) from parsed JSON. */
export function readPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
