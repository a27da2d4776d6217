/**
 * Worst-case text bench: every pass over customer text (redaction, signals, tracking numbers, request recognition,
 * reply parsing, case summary) timed on each adversarial input of tests/security/adversarialInputs.ts, 256 KB by
 * default; one row per pass with its slowest input. All are linear, so each row is a few milliseconds to a few
 * tens. Called by `npm run bench`; also runs alone: `npx tsx bench/textWorstCase.ts [sizeInKB]`.
 */
import type { BenchOutput } from './benchParts';
import { performance } from 'node:perf_hooks';
import { ADVERSARIAL_SIZE, adversarialInputs } from '../tests/security/adversarialInputs';
import { textPasses } from '../tests/security/textPasses';

/** One row: the pass (with its slowest input) and the time of one call on that input. */
export interface WorstCaseRow {
  readonly name: string;
  readonly ms: number;
}

/** Options of {@link textWorstCase}. */
export interface TextWorstCaseOptions {
  /** Length of each adversarial text, in UTF-16 code units. Default 256 KB. */
  readonly size?: number;
  /** Only the passes whose name includes this. */
  readonly only?: string;
}

/**
 * Times each text pass on each adversarial input once (after a warm-up on a short text) and returns, per pass, the
 * slowest input and its time.
 *
 * @example for (const row of textWorstCase()) console.log(row.name.padEnd(60), row.ms.toFixed(1));
 */
export function textWorstCase(options: TextWorstCaseOptions = {}): WorstCaseRow[] {
  const inputs = adversarialInputs(options.size ?? ADVERSARIAL_SIZE);
  const rows: WorstCaseRow[] = [];
  for (const pass of textPasses()) {
    if (options.only && !pass.name.includes(options.only)) continue;
    pass.run('warm-up: 4242 4242 4242 4242, a@b.fr, where is my parcel 1Z999AA10123456784 by Friday?');
    let worst = { input: '', ms: -1 };
    for (const { name, text } of inputs) {
      const start = performance.now();
      pass.run(text);
      const ms = performance.now() - start;
      if (ms > worst.ms) worst = { input: name, ms };
    }
    rows.push({ name: `${pass.name} (${worst.input})`, ms: Math.round(worst.ms * 10) / 10 });
  }
  return rows;
}

/**
 * {@link textWorstCase} as a table for `npm run bench`. Each pass is timed on the whole 256 KB: in the server every
 * pass reads the `MAX_TEXT_CHARS` cut (4,000 characters) instead, so these are bounds, not what a turn costs.
 */
export async function benchTextWorstCase(options: Pick<TextWorstCaseOptions, 'size'> = {}): Promise<BenchOutput> {
  const size = options.size ?? ADVERSARIAL_SIZE;
  const rows = textWorstCase({ size });
  return {
    title: `Each text pass on ${Math.round(size / 1024)} KB adversarial inputs, the slowest input (the server runs them on the 4,000-character cut)`,
    rows: rows.map((r) => ({ pass: r.name, 'worst ms': r.ms.toFixed(1) })),
    summary: { textPassWorstMs: Math.max(...rows.map((r) => r.ms)) },
  };
}

if (require.main === module) {
  const kb = Number(process.argv[2] ?? 256);
  for (const row of textWorstCase({ size: kb * 1024, only: process.argv[3] })) {
    console.log(`${row.name.padEnd(64)} ${row.ms.toFixed(1).padStart(9)} ms`);
  }
}
