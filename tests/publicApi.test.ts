import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'warmline.ts');
const REPORT = path.join(__dirname, 'publicApi.txt');
/** The most value exports (classes, functions, constants) the package may have: a surface a developer can hold. */
const MAX_VALUES = 60;

interface ExportInfo {
  readonly name: string;
  readonly kind: 'value' | 'type';
  readonly documented: boolean;
}

/** Every name `warmline.ts` exports, read by the TypeScript compiler: values and types, and whether each has TSDoc. */
function publicExports(): ExportInfo[] {
  const program = ts.createProgram([entry], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, esModuleInterop: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(entry);
  if (!source) throw new Error('warmline.ts not found');
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error('warmline.ts is not a module');
  return checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const kind = symbol.flags & ts.SymbolFlags.Value ? 'value' : 'type';
    const documented = symbol.getDocumentationComment(checker).length > 0 || symbol.getJsDocTags(checker).length > 0;
    return { name: exported.getName(), kind, documented };
  });
}

/** The report kept in tests/publicApi.txt: one line per export, sorted, values first. */
const report = (exports: readonly ExportInfo[]): string =>
  [...exports]
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'value' ? -1 : 1))
    .map((e) => `${e.kind} ${e.name}`)
    .join('\n') + '\n';

describe("the public API (import { ... } from 'warmline')", function () {
  this.timeout(120000);
  let exports: ExportInfo[];
  before(() => {
    exports = publicExports();
  });

  it(`has at most ${MAX_VALUES} value exports`, () => {
    const values = exports.filter((e) => e.kind === 'value').map((e) => e.name);
    expect(values.length, values.join(', ')).to.be.at.most(MAX_VALUES);
  });

  it('documents every export with TSDoc', () => {
    expect(exports.filter((e) => !e.documented).map((e) => e.name)).to.deep.equal([]);
  });

  it('matches tests/publicApi.txt, so a change to the public surface is deliberate (UPDATE_API_REPORT=1 rewrites it)', () => {
    const current = report(exports);
    if (process.env.UPDATE_API_REPORT === '1') writeFileSync(REPORT, current);
    expect(current).to.equal(readFileSync(REPORT, 'utf8'));
  });
});
