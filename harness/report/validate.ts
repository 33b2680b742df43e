// Validates a run.json against report/run.schema.json with ajv; used by tests and by `loadlab` before writing.
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

const schema = JSON.parse(readFileSync(new URL('./run.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const validate = ajv.compile(schema);

/** Returns the schema violations of `run` (empty when it is valid). */
export function validateRunJson(run: unknown): string[] {
  if (validate(run)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}
