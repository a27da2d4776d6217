/**
 * ReDoS test (issue 11): every built-in regular expression is checked with `recheck` and must come out safe.
 *
 * Checked: (a) every regex literal and every `RegExp(...)` with a literal pattern in the shipped sources (all `.ts`
 * files outside tests/, bench/, node_modules/, dist/, parsed with the TypeScript compiler API), plus the regex
 * defaults of options; (b) every regex the signals engine compiles from its built-in language packs
 * (`packRegexes`). A failure names the pattern, where it is (file:line) and recheck's attack string.
 *
 * Parameters. recheck's defaults, without its wall-clock limits (so that a verdict does not depend on the machine's
 * load). Three pack rules (HEAVY_RULES) are linear but cost some 20 steps per character: under the default
 * incubation limit recheck takes them for super-linear and spends more than 5 minutes disproving it, so they are
 * checked with a higher limit (HEAVY_PARAMS; it still flags the quadratic canaries listed for it).
 *
 * Speed. recheck decides a small regex in milliseconds, but the packs' rules (large word alternations with bounded
 * word gaps) take it from 1 s to a few minutes each: about 17 minutes for everything on 2 cores. So verdicts are
 * remembered in recheckVerdicts.json, keyed by the pattern, its flags, recheck's version and the parameters. A
 * regex whose verdict is not recorded is checked now. Only `safe` verdicts are recorded.
 *   RECHECK_UPDATE=1 npx mocha tests/security/redos.test.ts   records the verdicts of new regexes, drops unused ones
 *   RECHECK_FRESH=1 npx mocha tests/security/redos.test.ts    ignores the record and checks everything again
 * The canaries (known quadratic patterns, the former card and e-mail redaction among them) are checked live on every
 * run: they show that recheck runs and still finds what it should with these parameters.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { check, type Diagnostics, type Parameters } from 'recheck';
import { englishPack } from '../../middleware/signals/lexicons/englishPack';
import { frenchPack } from '../../middleware/signals/lexicons/frenchPack';
import { packRegexes } from '../../middleware/signals/signalDetector';
import { shippedRegexes, type SourceRegex } from './regexInventory';

const ROOT = path.resolve(__dirname, '..', '..');
const VERDICTS_FILE = path.join(__dirname, 'recheckVerdicts.json');
const RECHECK_VERSION = (JSON.parse(readFileSync(require.resolve('recheck/package.json'), 'utf8')) as { version: string }).version;

/** recheck's defaults, without its wall-clock limits (deterministic verdicts), and a bound on each check. */
const PARAMS: Parameters = {
  incubationTimeout: null,
  attackTimeout: null,
  seedingTimeout: null,
  timeout: Number(process.env.RECHECK_TIMEOUT_MS ?? 300_000),
};
/** For HEAVY_RULES: fuzzing only, with room for their cost per character before growth counts as super-linear. */
const HEAVY_PARAMS: Parameters = { ...PARAMS, checker: 'fuzz', incubationLimit: 250_000, maxGeneStringSize: 4_800 };
/** What a recorded verdict depends on besides the pattern (the timeout only bounds the wait: not part of it). */
const PARAMS_KEY = JSON.stringify({ recheck: RECHECK_VERSION, incubationTimeout: null, attackTimeout: null, seedingTimeout: null });
const HEAVY_KEY = `${PARAMS_KEY} heavy ${JSON.stringify({ checker: 'fuzz', incubationLimit: 250_000, maxGeneStringSize: 4_800 })}`;

/** Pack rules checked with HEAVY_PARAMS (their patterns; their `unless` guards, if any, take the default). */
const HEAVY_RULES: ReadonlyArray<{ id: string; why: string }> = [
  { id: 'fraud.en.says-i-did', why: 'two word gaps of up to 8 and 10 words: undecided after 5 min by default, safe in ~30 s' },
  { id: 'fraud.en.unrecognised-after', why: 'four alternatives, each a 40-word list and a word gap: undecided after 5 min, safe in ~40 s' },
  { id: 'human_request.en.speak-to', why: 'optional words that overlap the word gap: undecided after 15 min by default, safe in ~10 s' },
];

/**
 * Regexes recheck flags in files this change does not own. NOT accepted: listed so that the lead clears each (then
 * removes its entry); the test fails again if an entry's regex changes or a new one is flagged. Matched by file and
 * pattern (the line is where it was when listed).
 */
const ALLOWED_FLAGGED: ReadonlyArray<{ at: string; source: string; flags: string; verdict: string; attack: string }> = [];

/**
 * `RegExp`s built from something other than a literal, each with where its patterns are checked. A new one fails
 * the test until it is listed here (nothing is left out silently). Matched by file and the call as written.
 */
const DYNAMIC: ReadonlyArray<{ file: string; call: string; why: string }> = [
  { file: 'middleware/handoff/handoffPolicy.ts', call: 'new RegExp(src)', why: 'validates a developer option (compiled, never run)' },
  {
    file: 'middleware/handoff/handoffPolicy.ts',
    call: 'new RegExp(r.evidence as string)',
    why: 'intent rule `evidence` option: its default is checked as an option default (part a)',
  },
  { file: 'middleware/signals/packRegexes.ts', call: "new RegExp(pattern, 'g')", why: 'pack rule patterns: part (b)' },
  { file: 'middleware/signals/packRegexes.ts', call: 'new RegExp(pattern.source, `${pattern.flags}g`)', why: 'pack rule patterns: part (b)' },
  { file: 'middleware/signals/packRegexes.ts', call: 'new RegExp(pattern)', why: 'pack `unless` guards: part (b)' },
  {
    file: 'middleware/signals/packRegexes.ts',
    call: "new RegExp(pattern.source, pattern.flags.replace('g', '').replace('y', ''))",
    why: 'pack `unless` guards: part (b)',
  },
  {
    file: 'middleware/signals/packRegexes.ts',
    call: "new RegExp(pack.neutralisers.map((n) => `(?:${typeof n === 'string' ? n : n.source})`).join('|'), 'g')",
    why: 'pack neutralisers: part (b)',
  },
];

/** Known quadratic patterns: recheck must flag each (else the check is not working); `heavy`: under HEAVY_PARAMS too. */
const CANARIES: ReadonlyArray<{ name: string; source: string; flags: string; heavy: boolean }> = [
  { name: 'former card redaction', source: '(?<![\\w-])\\d(?:[ -]?\\d){12,}(?![\\w]|[ -]\\d)', flags: 'g', heavy: false },
  {
    name: 'former e-mail redaction',
    source: '(?<![\\w.+-])[\\w.%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}(?![\\w])',
    flags: 'g',
    heavy: true,
  },
  { name: 'former replacement-timing guard', source: '\\b(?:how long|when do)\\b.*\\b(?:replace|new card)\\b', flags: '', heavy: true },
  { name: 'former request mask', source: '\\S+@\\S+', flags: 'g', heavy: false },
];

/** One regex to check, with where it comes from. */
interface Item {
  readonly at: string;
  readonly source: string;
  readonly flags: string;
  /** Checked with HEAVY_PARAMS. */
  readonly heavy?: boolean;
}

interface VerdictRecord {
  params: string;
  safe: Record<string, { at: string; checker: string | undefined; complexity: string }>;
}

const keyOf = (item: Pick<Item, 'source' | 'flags' | 'heavy'>): string =>
  createHash('sha256')
    .update(`${item.heavy ? HEAVY_KEY : PARAMS_KEY}\n${item.flags}\n${item.source}`)
    .digest('hex')
    .slice(0, 32);

function readRecord(): VerdictRecord {
  if (process.env.RECHECK_FRESH === '1' || !existsSync(VERDICTS_FILE)) return { params: PARAMS_KEY, safe: {} };
  const record = JSON.parse(readFileSync(VERDICTS_FILE, 'utf8')) as VerdictRecord;
  return record.params === PARAMS_KEY ? record : { params: PARAMS_KEY, safe: {} };
}

/** Where a pack's rule is written (the line of its id), for failure messages. */
function packLocation(code: string, id: string): string {
  const file = `middleware/signals/lexicons/${code === 'en' ? 'englishPack' : 'frenchPack'}.ts`;
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const needle = id === 'neutralisers' ? 'neutralisers:' : `'${id}'`;
  return `${file}:${lines.findIndex((l) => l.includes(needle)) + 1} (${id})`;
}

const describeVerdict = (d: Diagnostics): string =>
  d.status === 'vulnerable'
    ? `${d.complexity.summary}; attack: ${d.attack.pattern.slice(0, 160)}`
    : d.status === 'unknown'
      ? `undecided (${d.error.kind}${'message' in d.error ? `: ${d.error.message}` : ''})` +
        (d.error.kind === 'timeout' ? '; check it with a larger RECHECK_TIMEOUT_MS and RECHECK_UPDATE=1 to record it' : '')
      : d.complexity.summary;

/** Checks each item not already recorded safe; returns the failures, and records new safe verdicts in `record`. */
async function checkAll(items: readonly Item[], record: VerdictRecord): Promise<string[]> {
  const failures: string[] = [];
  // The same pattern in several places is checked once and, if it fails, reported at each.
  const unique = new Map<string, Item>();
  const places = new Map<string, string[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (!unique.has(key)) unique.set(key, item);
    places.set(key, [...(places.get(key) ?? []), item.at]);
  }
  const pending = [...unique.entries()].filter(([key]) => !record.safe[key]);
  // Two at a time (two cores); recheck's native agent runs each check on its own thread.
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pending.length) {
      const [key, item] = pending[next++];
      const d = await check(item.source, item.flags, item.heavy ? HEAVY_PARAMS : PARAMS);
      if (d.status === 'safe') record.safe[key] = { at: item.at, checker: d.checker, complexity: d.complexity.summary };
      else failures.push(`${(places.get(key) ?? [item.at]).join(', ')}  /${item.source}/${item.flags}\n    ${describeVerdict(d)}`);
    }
  };
  await Promise.all([worker(), worker()]);
  return failures;
}

const inventory = shippedRegexes(ROOT);
const record = readRecord();
const used = new Set<string>();

describe('ReDoS: every built-in regex is linear (recheck)', function () {
  // Recorded verdicts make this a few seconds; a new or changed rule of a language pack may take minutes.
  this.timeout(Number(process.env.RECHECK_TIMEOUT_MS ?? 300_000) * 4);

  after(function () {
    if (process.env.RECHECK_UPDATE !== '1' && process.env.RECHECK_FRESH !== '1') return;
    const safe = Object.fromEntries(Object.entries(record.safe).filter(([key]) => used.has(key)).sort(([a], [b]) => (a < b ? -1 : 1)));
    writeFileSync(VERDICTS_FILE, `${JSON.stringify({ params: PARAMS_KEY, safe }, null, 1)}\n`);
  });

  it('finds the regexes of the shipped sources', function () {
    expect(inventory.regexes.length).to.be.greaterThan(100);
    expect(inventory.regexes.some((r) => r.file === 'middleware/handoff/redaction.ts')).to.equal(true);
  });

  it('(a) every regex written in the shipped sources is safe, or listed for the lead', async function () {
    const allowed = (r: SourceRegex) => ALLOWED_FLAGGED.some((a) => a.at.split(':')[0] === r.file && a.source === r.source && a.flags === r.flags);
    const items = inventory.regexes.filter((r) => !allowed(r)).map((r) => ({ at: `${r.file}:${r.line}`, source: r.source, flags: r.flags }));
    for (const item of items) used.add(keyOf(item));
    const failures = await checkAll(items, record);
    expect(failures, `recheck does not find these regexes safe:\n${failures.join('\n')}\n`).to.deep.equal([]);
  });

  it('(a) the listed regexes of files owned elsewhere are still there and still flagged', async function () {
    for (const entry of ALLOWED_FLAGGED) {
      const file = entry.at.split(':')[0];
      const found = inventory.regexes.find((r) => r.file === file && r.source === entry.source && r.flags === entry.flags);
      expect(found, `${entry.at} /${entry.source}/${entry.flags} is gone: remove its ALLOWED_FLAGGED entry`).to.not.equal(undefined);
      const d = await check(entry.source, entry.flags, PARAMS);
      expect(d.status, `${entry.at} /${entry.source}/${entry.flags} is now ${d.status}: remove its ALLOWED_FLAGGED entry`).to.equal('vulnerable');
    }
  });

  it('(a) every RegExp built from a non-literal pattern is listed with where it is checked', function () {
    const unlisted = inventory.dynamic.filter((d) => !DYNAMIC.some((x) => x.file === d.file && x.call === d.text));
    expect(unlisted.map((d) => `${d.file}:${d.line}  ${d.text}`), 'list them in DYNAMIC').to.deep.equal([]);
  });

  it('(b) every regex the signals engine compiles from the built-in language packs is safe', async function () {
    const items: Item[] = [];
    for (const pack of [englishPack, frenchPack]) {
      for (const { id, role, regex } of packRegexes(pack)) {
        const heavy = role === 'pattern' && HEAVY_RULES.some((h) => h.id === id);
        items.push({ at: `${packLocation(pack.code, id)} ${role}${heavy ? ' (heavy)' : ''}`, source: regex.source, flags: regex.flags, heavy });
      }
    }
    expect(items.length).to.be.greaterThan(100);
    for (const item of items) used.add(keyOf(item));
    const failures = await checkAll(items, record);
    expect(failures, `recheck does not find these pack regexes safe:\n${failures.join('\n')}\n`).to.deep.equal([]);
  });

  it('recheck still flags known quadratic patterns (canaries, checked live)', async function () {
    const missed: string[] = [];
    for (const canary of CANARIES) {
      for (const [tier, params] of canary.heavy ? ([['default', PARAMS], ['heavy', HEAVY_PARAMS]] as const) : ([['default', PARAMS]] as const)) {
        const d = await check(canary.source, canary.flags, params);
        if (d.status !== 'vulnerable') missed.push(`${canary.name} (${tier}): ${describeVerdict(d)}`);
      }
    }
    expect(missed).to.deep.equal([]);
  });

  it('the heavy rules are still in the packs', function () {
    const ids = new Set([englishPack, frenchPack].flatMap((p) => p.rules.map((r) => r.id)));
    expect(HEAVY_RULES.map((h) => h.id).filter((id) => !ids.has(id)), 'remove them from HEAVY_RULES').to.deep.equal([]);
  });
});
