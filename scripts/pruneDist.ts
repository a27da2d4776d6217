// Removes from the build's output folder every file the build would not write now: the outputs of sources that were
// moved or deleted, and files of an earlier configuration. `npm pack` runs it (`prepack`) before `prepare` builds, so
// the package ships exactly the current build and never a stale module. Usage: tsx scripts/pruneDist.ts [tsconfig]
import { readdirSync, rmdirSync, unlinkSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

/** Every file the configured build writes, as absolute paths. */
export function buildOutputs(configFile: string): { outDir: string; outputs: Set<string> } {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.resolve(configFile), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`${configFile}: not a TypeScript configuration`);
  const { outDir } = parsed.options;
  if (!outDir) throw new Error(`${configFile}: no outDir`);
  const ignoreCase = !ts.sys.useCaseSensitiveFileNames;
  const outputs = new Set(parsed.fileNames.flatMap((file) => ts.getOutputFileNames(parsed, file, ignoreCase)).map((f) => path.resolve(f)));
  return { outDir: path.resolve(outDir), outputs };
}

/** Deletes the files under `dir` that are not in `keep`, then the folders left empty; returns the deleted files. */
export function prune(dir: string, keep: ReadonlySet<string>): string[] {
  const removed: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return removed; // no output folder yet: nothing to prune
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      removed.push(...prune(full, keep));
      if (readdirSync(full).length === 0) rmdirSync(full);
    } else if (!keep.has(full)) {
      unlinkSync(full);
      removed.push(full);
    }
  }
  return removed;
}

if (require.main === module) {
  const { outDir, outputs } = buildOutputs(process.argv[2] ?? 'tsconfig.build.json');
  const removed = prune(outDir, outputs);
  // On stderr: `npm pack --json` prints its report on stdout, after what its scripts print there.
  if (removed.length) process.stderr.write(`pruneDist: removed ${removed.length} stale file(s) from ${path.relative(process.cwd(), outDir) || outDir}\n`);
}
