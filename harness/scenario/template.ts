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
