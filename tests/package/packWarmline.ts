import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

/** The repository root, where `npm pack` runs. */
export const root = path.resolve(__dirname, '..', '..');

/** What `npm pack --json` reported, and where the tarball is. */
export interface PackedWarmline {
  /** The tarball's absolute path. */
  readonly tarball: string;
  /** Every path in the tarball, relative to its `package/` folder. */
  readonly files: readonly string[];
}

interface PackJson {
  filename: string;
  files: Array<{ path: string }>;
}

let packed: Promise<PackedWarmline> | undefined;
let dir: string | undefined;

/**
 * Packs this checkout as a developer or a registry would get it, once per test run: `npm pack` runs `prepack` (removes
 * `dist` and the build's incremental state, so no file of a moved or deleted source can ship) and `prepare` (a build
 * from scratch), then writes the tarball to a temporary folder, removed when the process exits.
 */
export function packWarmline(): Promise<PackedWarmline> {
  packed ??= (async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'warmline-pack-'));
    process.once('exit', () => rmSync(dir as string, { recursive: true, force: true }));
    const { stdout } = await promisify(execFile)('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
      timeout: 240_000,
    });
    // The report is the JSON array at the end of stdout; a script run before it may have printed lines above it.
    const [report] = JSON.parse(stdout.slice(stdout.search(/^\[$/m))) as PackJson[];
    return { tarball: path.join(dir, report.filename), files: report.files.map((f) => f.path) };
  })();
  return packed;
}
