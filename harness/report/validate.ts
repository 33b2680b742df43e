// Validates run.json and compare.json against their schemas (report/*.schema.json) with ajv; used by tests and by
// `loadlab` before writing.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const load = (name: string) => JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8')) as object;
const validateRun = ajv.compile(load('./run.schema.json'));
const validateCompare = ajv.compile(load('./compare.schema.json'));

/** Returns the schema violations of `run` (empty when it is valid). */
export function validateRunJson(run: unknown): string[] {
  return problems(validateRun, run);
}

/** Returns the schema violations of a compare.json (empty when it is valid). */
export function validateCompareJson(compare: unknown): string[] {
  return problems(validateCompare, compare);
}

function problems(validate: ReturnType<Ajv['compile']>, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}
