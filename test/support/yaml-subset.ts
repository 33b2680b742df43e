// A reader for the YAML subset compose.yaml is written in (block maps and lists by indentation,
// JSON-style flow lists and quoted strings, whole-line comments) so its structure can be tested
// without a YAML dependency; anything outside the subset throws rather than being misread.

export type YamlValue = string | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  indent: number;
  text: string;
  number: number;
}

export function parseYamlSubset(source: string): YamlValue {
  const lines: Line[] = source
    .split('\n')
    .map((raw, i) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim(), number: i + 1 }))
    .filter((l) => l.text !== '' && !l.text.startsWith('#'));
  if (lines.length === 0) return null;
  const [value, next] = parseBlock(lines, 0, lines[0]!.indent);
  if (next < lines.length) throw new Error(`line ${lines[next]!.number}: unexpected indentation`);
  return value;
}

function parseBlock(lines: Line[], start: number, indent: number): [YamlValue, number] {
  return lines[start]!.text.startsWith('- ') ? parseList(lines, start, indent) : parseMap(lines, start, indent);
}

function parseList(lines: Line[], start: number, indent: number): [YamlValue[], number] {
  const items: YamlValue[] = [];
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent && lines[i]!.text.startsWith('- ')) {
    items.push(parseScalar(lines[i]!.text.slice(2).trim(), lines[i]!));
    i++;
  }
  return [items, i];
}

function parseMap(lines: Line[], start: number, indent: number): [{ [key: string]: YamlValue }, number] {
  const map: { [key: string]: YamlValue } = {};
  let i = start;
  while (i < lines.length && lines[i]!.indent === indent) {
    const line = lines[i]!;
    const m = /^([\w.-]+):(?:\s+(.*))?$/.exec(line.text);
    if (!m) throw new Error(`line ${line.number}: expected "key: value", got ${JSON.stringify(line.text)}`);
    if (m[1]! in map) throw new Error(`line ${line.number}: duplicate key ${m[1]}`);
    i++;
    if (m[2] !== undefined) {
      map[m[1]!] = parseScalar(m[2], line);
    } else if (i < lines.length && lines[i]!.indent > indent) {
      const [value, next] = parseBlock(lines, i, lines[i]!.indent);
      map[m[1]!] = value;
      i = next;
    } else {
      map[m[1]!] = null;
    }
  }
  return [map, i];
}

function parseScalar(text: string, line: Line): YamlValue {
  if (/^[[{"]/.test(text)) {
    try {
      return JSON.parse(text) as YamlValue;
    } catch {
      throw new Error(`line ${line.number}: ${text} is outside the supported subset (JSON-style flow values only)`);
    }
  }
  if (/^['&*!|>]/.test(text) || /\s#/.test(text)) throw new Error(`line ${line.number}: ${text} is outside the supported subset`);
  return text;
}
