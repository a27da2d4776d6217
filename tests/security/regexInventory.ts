/**
 * Inventory of the regular expressions written in Warmline's shipped TypeScript sources, for the ReDoS test.
 *
 * Every `.ts` file outside `tests/`, `bench/`, `node_modules/` and the build outputs is parsed with the TypeScript
 * compiler API (no text search: comments, strings and division signs cannot be taken for regexes). Found: regex
 * literals, `new RegExp(...)` / `RegExp(...)` whose pattern is a string literal, and the string defaults of options
 * compiled to a `RegExp` (see REGEX_OPTIONS). A `RegExp` built from anything else (a variable, a concatenation) is
 * reported apart as dynamic, so that the test can make each one explicit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** A regex written in a source file. */
export interface SourceRegex {
  /** Path relative to the repository root, with `/` separators. */
  readonly file: string;
  /** 1-based line of the regex. */
  readonly line: number;
  readonly source: string;
  readonly flags: string;
}

/** A `RegExp` constructed from a non-literal pattern (or non-literal flags). */
export interface DynamicRegex {
  readonly file: string;
  readonly line: number;
  /** The constructor call as written. */
  readonly text: string;
}

/**
 * Options whose string value is compiled to a `RegExp` (the handoff policy's intent rule `evidence`): their string
 * literals in the sources are the defaults, checked like regex literals.
 */
const REGEX_OPTIONS = new Set(['evidence']);

/** Directories (at any depth) that do not ship. */
const SKIPPED_DIRS = new Set(['tests', 'bench', 'node_modules', 'dist', 'dist-bench', 'coverage']);

/** The shipped `.ts` files under `root`, sorted, relative with `/` separators. */
export function shippedSourceFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) walk(full);
      } else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        files.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return files.sort();
}

const literalText = (node: ts.Expression | undefined): string | undefined =>
  node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

/** The regexes of one file's text (`file` is only used to label them). */
export function regexesInSource(file: string, text: string): { regexes: SourceRegex[]; dynamic: DynamicRegex[] } {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const regexes: SourceRegex[] = [];
  const dynamic: DynamicRegex[] = [];
  const lineOf = (node: ts.Node): number => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && REGEX_OPTIONS.has(node.name.text)) {
      const source = literalText(node.initializer);
      if (source !== undefined) regexes.push({ file, line: lineOf(node), source, flags: '' });
    }
    if (ts.isRegularExpressionLiteral(node)) {
      const slash = node.text.lastIndexOf('/');
      regexes.push({ file, line: lineOf(node), source: node.text.slice(1, slash), flags: node.text.slice(slash + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      const [patternArg, flagsArg] = node.arguments ?? [];
      const source = literalText(patternArg);
      const flags = flagsArg === undefined ? '' : literalText(flagsArg);
      if (patternArg && ts.isRegularExpressionLiteral(patternArg) && flagsArg === undefined) {
        // `new RegExp(/x/)`: the literal itself is visited below.
      } else if (source !== undefined && flags !== undefined) {
        regexes.push({ file, line: lineOf(node), source, flags });
      } else {
        dynamic.push({ file, line: lineOf(node), text: node.getText(sf) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { regexes, dynamic };
}

/** Every regex of every shipped source file under `root`. */
export function shippedRegexes(root: string): { regexes: SourceRegex[]; dynamic: DynamicRegex[] } {
  const regexes: SourceRegex[] = [];
  const dynamic: DynamicRegex[] = [];
  for (const file of shippedSourceFiles(root)) {
    const found = regexesInSource(file, readFileSync(path.join(root, file), 'utf8'));
    regexes.push(...found.regexes);
    dynamic.push(...found.dynamic);
  }
  return { regexes, dynamic };
}
