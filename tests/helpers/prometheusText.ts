/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: it throws on anything a Prometheus
 * server would reject or that breaks the format's rules (undeclared samples, counters not ending in `_total`, bad
 * escapes, duplicate series, histograms whose buckets are not cumulative or do not end with `+Inf` = `_count`).
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  type: string;
  help?: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(raw: string, line: number): number {
  if (raw === '+Inf') return Infinity;
  if (raw === '-Inf') return -Infinity;
  // Prometheus reads NaN in any case; prom-client writes `Nan`.
  if (raw.toLowerCase() === 'nan') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`line ${line}: bad value "${raw}"`);
  return Number(raw);
}

function unescapeHelp(s: string, line: number): string {
  return s.replace(/\\(.?)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`line ${line}: bad escape in HELP`);
  });
}

/** Parses `name{a="x",b="y"} value`; returns the sample. */
function parseSample(text: string, line: number): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(text);
  if (!m) throw new Error(`line ${line}: no metric name`);
  const name = m[1] as string;
  let i = name.length;
  const labels: Record<string, string> = {};
  if (text[i] === '{') {
    i++;
    while (text[i] !== '}') {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(text.slice(i));
      if (!l) throw new Error(`line ${line}: bad label at column ${i}`);
      const labelName = l[1] as string;
      if (!LABEL.test(labelName)) throw new Error(`line ${line}: bad label name ${labelName}`);
      if (labelName in labels) throw new Error(`line ${line}: label ${labelName} twice`);
      i += l[0].length;
      let value = '';
      for (;;) {
        const c = text[i];
        if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
        if (c === '"') break;
        if (c === '\n') throw new Error(`line ${line}: raw newline in label value`);
        if (c === '\\') {
          const e = text[i + 1];
          if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (e === 'n') value += '\n';
          else throw new Error(`line ${line}: bad escape \\${e ?? ''} in label value`);
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      labels[labelName] = value;
      i++; // closing quote
      if (text[i] === ',') i++;
      else if (text[i] !== '}') throw new Error(`line ${line}: expected , or } at column ${i}`);
    }
    i++;
  }
  if (text[i] !== ' ') throw new Error(`line ${line}: expected a space before the value`);
  const parts = text.slice(i + 1).split(' ');
  if (parts.length < 1 || parts.length > 2) throw new Error(`line ${line}: expected a value and an optional timestamp`);
  return { name, labels, value: parseValue(parts[0] as string, line) };
}

const seriesKey = (s: Sample): string =>
  `${s.name}{${Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(',')}}`;

/** Reads an exposition; throws with the line number on the first problem. */
export function parseExposition(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      const family = families.get(name) ?? { name, type: '', samples: [] };
      families.set(name, family);
      if (kind === 'HELP') {
        if (family.help !== undefined) throw new Error(`line ${line}: second HELP for ${name}`);
        family.help = unescapeHelp(rest, line);
      } else {
        if (family.type) throw new Error(`line ${line}: second TYPE for ${name}`);
        if (family.samples.length) throw new Error(`line ${line}: TYPE of ${name} after its samples`);
        if (!TYPES.has(rest)) throw new Error(`line ${line}: unknown type ${rest}`);
        if (rest === 'counter' && !name.endsWith('_total')) throw new Error(`line ${line}: counter ${name} does not end with _total`);
        family.type = rest;
      }
      return;
    }
    const sample = parseSample(raw, line);
    let family = families.get(sample.name);
    if (!family?.type) {
      const base = /^(.*)_(bucket|sum|count)$/.exec(sample.name);
      const candidate = base ? families.get(base[1] as string) : undefined;
      if (candidate?.type === 'histogram') family = candidate;
      else throw new Error(`line ${line}: sample ${sample.name} belongs to no declared metric`);
    } else if (family.type === 'histogram') {
      throw new Error(`line ${line}: histogram ${sample.name} has a sample without _bucket/_sum/_count`);
    }
    if ('le' in sample.labels && !sample.name.endsWith('_bucket')) throw new Error(`line ${line}: le outside a bucket`);
    const key = seriesKey(sample);
    if (seen.has(key)) throw new Error(`line ${line}: duplicate series ${key}`);
    seen.add(key);
    family.samples.push(sample);
  });
  for (const family of families.values()) {
    if (!family.type) throw new Error(`${family.name}: HELP without TYPE`);
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>();
  const groupOf = (s: Sample) => {
    const rest = Object.fromEntries(Object.entries(s.labels).filter(([k]) => k !== 'le'));
    const key = seriesKey({ name: '', labels: rest, value: 0 });
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { buckets: [] }));
    return g;
  };
  for (const s of family.samples) {
    const g = groupOf(s);
    if (s.name === `${family.name}_bucket`) {
      if (s.labels.le === undefined) throw new Error(`${family.name}: bucket without le`);
      g.buckets.push([parseValue(s.labels.le, 0), s.value]);
    } else if (s.name === `${family.name}_sum`) g.sum = s.value;
    else if (s.name === `${family.name}_count`) g.count = s.value;
  }
  for (const [key, g] of groups) {
    if (g.sum === undefined || g.count === undefined) throw new Error(`${family.name}${key}: _sum or _count missing`);
    if (!g.buckets.length) throw new Error(`${family.name}${key}: no buckets`);
    for (let i = 1; i < g.buckets.length; i++) {
      const [le, v] = g.buckets[i] as [number, number];
      const [prevLe, prevV] = g.buckets[i - 1] as [number, number];
      if (!(le > prevLe)) throw new Error(`${family.name}${key}: le not increasing`);
      if (v < prevV) throw new Error(`${family.name}${key}: buckets not cumulative`);
    }
    const last = g.buckets[g.buckets.length - 1] as [number, number];
    if (last[0] !== Infinity) throw new Error(`${family.name}${key}: last bucket is not +Inf`);
    if (last[1] !== g.count) throw new Error(`${family.name}${key}: +Inf bucket ${last[1]} != _count ${g.count}`);
  }
}

/** The value of one series (exact labels), or `undefined`. */
export function sampleValue(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const f of families.values()) {
    for (const s of f.samples) {
      if (s.name !== name) continue;
      const keys = Object.keys(s.labels);
      if (keys.length === Object.keys(labels).length && keys.every((k) => s.labels[k] === labels[k])) return s.value;
    }
  }
  return undefined;
}
