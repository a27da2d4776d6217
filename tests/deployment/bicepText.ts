// A deliberately small reader of main.bicep's text, enough for the checks in azureBicep.test.ts. It is not a Bicep
// parser: it expects the layout of main.bicep (top-level statements at column 0, two-space indentation).

export interface BicepParam {
  name: string;
  type: string;
  secure: boolean;
  defaultValue?: string;
}

export interface BicepResource {
  symbol: string;
  type: string;
  apiVersion: string;
  condition?: string;
  /** The whole `{ ... }` body. */
  body: string;
}

/** `param` declarations with their `@secure()` decorator and default (decorators directly above, no blank line). */
export function bicepParams(source: string): BicepParam[] {
  const params: BicepParam[] = [];
  let secure = false;
  for (const line of source.split('\n')) {
    if (/^@secure\(\)\s*$/.test(line)) secure = true;
    const m = /^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+?))?\s*$/.exec(line);
    if (m) {
      params.push({ name: m[1], type: m[2], secure, ...(m[3] !== undefined ? { defaultValue: m[3] } : {}) });
      secure = false;
    } else if (line.trim() === '' || /^(var|resource|output|module|targetScope)\b/.test(line)) {
      secure = false;
    }
  }
  return params;
}

/** A line without its `//` comment (a `//` inside a string literal, as in 'https://...', is kept). */
export function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === "'") inString = false;
    } else if (ch === "'") inString = true;
    else if (ch === '/' && line[i + 1] === '/') return line.slice(0, i).trimEnd();
  }
  return line.trimEnd();
}

/** `var` declarations on one line: name -> expression. */
export function bicepVars(source: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of source.split('\n')) {
    const m = /^var\s+(\w+)\s*=\s*(.+)$/.exec(stripComment(line));
    if (m) vars[m[1]] = m[2].trim();
  }
  return vars;
}

/** The text from an opening brace to its matching closing brace (strings and comments taken into account). */
export function braceBlock(source: string, openAt: number): string {
  let depth = 0;
  let inString = false;
  for (let i = openAt; i < source.length; i++) {
    const ch = source[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === "'") inString = false;
      continue;
    }
    if (ch === "'") inString = true;
    else if (ch === '/' && source[i + 1] === '/') i = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return source.slice(openAt, i + 1);
  }
  throw new Error(`unbalanced braces from offset ${openAt}`);
}

/** Top-level `resource` declarations (existing ones included). */
export function bicepResources(source: string): BicepResource[] {
  const out: BicepResource[] = [];
  const re = /^resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(?:existing\s*)?=\s*(?:if\s*\((.*)\)\s*)?\{/gm;
  for (const m of source.matchAll(re)) {
    const open = (m.index ?? 0) + m[0].length - 1;
    out.push({ symbol: m[1], type: m[2], apiVersion: m[3], ...(m[4] ? { condition: m[4] } : {}), body: braceBlock(source, open) });
  }
  return out;
}

/** The `key: { ... }` object directly inside a block, by key (first match). */
export function objectProperty(block: string, key: string): string | undefined {
  const m = new RegExp(`(^|\\n)\\s*'?${key}'?\\s*:\\s*\\{`).exec(block);
  if (!m) return undefined;
  return braceBlock(block, m.index + m[0].length - 1);
}

/** Scalar `key: value` entries one level inside an object block: key -> expression text (comments removed). */
export function scalarEntries(objectBlock: string): Record<string, string> {
  const inner = objectBlock.slice(1, -1);
  const out: Record<string, string> = {};
  let depth = 0;
  for (const line of inner.split('\n')) {
    const code = stripComment(line);
    if (depth === 0) {
      const m = /^\s*'?([\w-]+)'?\s*:\s*(.+?)\s*$/.exec(code);
      if (m && !m[2].endsWith('{') && !m[2].endsWith('[')) out[m[1]] = m[2];
    }
    depth += (code.match(/[{[]/g) ?? []).length - (code.match(/[}\]]/g) ?? []).length;
  }
  return out;
}

/** A scalar property anywhere in a block (first match): `key: value` -> value. */
export function propertyValue(block: string, key: string): string | undefined {
  for (const line of block.split('\n')) {
    const m = new RegExp(`^\\s*${key}\\s*:\\s*(.+)$`).exec(stripComment(line));
    if (m) return m[1].trim();
  }
  return undefined;
}

/** Identifiers an expression mentions (outside string literals, interpolations included). */
export function identifiers(expression: string): string[] {
  const withoutLiterals = expression.replace(/'(?:[^'\\]|\\.)*'/g, (lit) => [...lit.matchAll(/\$\{([^}]*)\}/g)].map((m) => ` ${m[1]} `).join(' '));
  return [...withoutLiterals.matchAll(/[A-Za-z_]\w*/g)].map((m) => m[0]);
}

/** The literal value of a `'...'` expression without interpolation, else undefined. */
export function stringLiteral(expression: string): string | undefined {
  const m = /^'((?:[^'\\$]|\\.)*)'$/.exec(expression.trim());
  return m ? m[1] : undefined;
}
