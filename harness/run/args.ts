// Command-line options declared as data (type, default, description); parsing and the usage text are generated from them.
import { UsageError } from '../errors.ts';
import { parseDurationSec } from '../report/units.ts';

/** `fraction`: a number from 0 to 1 inclusive (0 allowed, unlike `number`). */
export type OptionType = 'string' | 'number' | 'integer' | 'fraction' | 'boolean' | 'duration';

export interface OptionSpec {
  name: string;
  type: OptionType;
  description: string;
  valueName?: string;
  default?: string | number | boolean;
  /** May be given several times; the value is then an array. */
  repeatable?: boolean;
}

export type OptionValue = string | number | boolean | Array<string | number>;
export type ParsedOptions = Record<string, OptionValue | undefined>;

/** Parses `--name value` / `--name=value` / `--flag`; every problem is a UsageError naming the option. */
export function parseOptions(argv: string[], specs: OptionSpec[]): ParsedOptions {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values: ParsedOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) throw new UsageError(`--${name}: unknown option`);
    let raw: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    if (spec.type !== 'boolean' && raw === undefined) {
      raw = argv[++i];
      if (raw === undefined) throw new UsageError(`--${name}: needs a value (${spec.valueName ?? spec.type})`);
    }
    const value = convert(spec, raw);
    if (spec.repeatable) values[name] = [...((values[name] as Array<string | number>) ?? []), value as string | number];
    else if (values[name] !== undefined) throw new UsageError(`--${name}: given more than once`);
    else values[name] = value;
  }
  for (const spec of specs)
    if (values[spec.name] === undefined && spec.default !== undefined)
      values[spec.name] = convert(spec, String(spec.default));
  return values;
}

function convert(spec: OptionSpec, raw: string | undefined): string | number | boolean {
  const name = `--${spec.name}`;
  switch (spec.type) {
    case 'boolean':
      if (raw === undefined || raw === 'true') return true;
      if (raw === 'false') return false;
      throw new UsageError(`${name}: expected true or false, got "${raw}"`);
    case 'duration':
      return parseDurationSec(raw!, name);
    case 'fraction': {
      const f = Number(raw);
      if (raw!.trim() === '' || !(f >= 0 && f <= 1))
        throw new UsageError(`${name}: expected a fraction from 0 to 1 (0.01 = 1%), got "${raw}"`);
      return f;
    }
    case 'number':
    case 'integer': {
      const n = Number(raw);
      const ok = raw!.trim() !== '' && Number.isFinite(n) && n > 0 && (spec.type === 'number' || Number.isInteger(n));
      if (!ok)
        throw new UsageError(
          `${name}: expected a positive ${spec.type === 'integer' ? 'whole number' : 'number'}, got "${raw}"`,
        );
      return n;
    }
    default:
      return raw!;
  }
}

/** The usage text of one command, generated from its option specs. */
export function renderUsage(command: string, summary: string, specs: OptionSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.type === 'boolean' ? '' : ` ${s.valueName ?? s.type.toUpperCase()}`}`;
    const extra = [s.repeatable ? 'repeatable' : '', s.default !== undefined ? `default ${s.default}` : '']
      .filter(Boolean)
      .join(', ');
    return `${left.padEnd(30)} ${s.description}${extra ? ` (${extra})` : ''}`;
  });
  return [`usage: loadlab ${command} [options]`, `  ${summary}`, '', ...rows].join('\n');
}
