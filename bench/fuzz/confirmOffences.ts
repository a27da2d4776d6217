import { mutationNotes, singleMutations } from './activityMutations';
import { sendStep, type ClientTarget, type SentRequest, type StepOutcome } from './fuzzClient';
import { offenceSignature, type Offence } from './fuzzReport';
import type { FuzzRoute, FuzzSecrets } from './fuzzRoute';
import type { FuzzSinks } from './fuzzSinks';
import type { FuzzStep, HttpStep, RefResolvers } from './fuzzSpec';
import { FuzzServerProcess } from './serverProcess';

/** What {@link confirmOffences} needs to replay requests on fresh servers. */
export interface ConfirmOptions {
  readonly routes: readonly FuzzRoute[];
  readonly serverEnv: Record<string, string>;
  readonly sinks: FuzzSinks;
  readonly secrets: FuzzSecrets;
  readonly sharedRefs: () => RefResolvers;
  readonly hangMs: number;
  /** Distinct problems replayed at most. @defaultValue 12 */
  readonly maxGroups?: number;
}

const CRASH_ROUNDS = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Replays the first offence of each distinct problem alone against a fresh server (after the route's warm-up) and sets
 * `offence.alone`: a crash's suspects one by one (up to three rounds: a reset racing a write is timing-dependent) until
 * the server dies, naming the culprit; anything else once, then, for a mutated activity, each of its mutations alone,
 * naming one that is enough.
 *
 * @remarks Run-time values (tokens, sessions, case ids) are resolved again on the fresh server, so a problem that needs
 * state built by earlier requests, or concurrent ones, shows as "not reproduced".
 */
export async function confirmOffences(offences: readonly Offence[], replays: WeakMap<Offence, readonly FuzzStep[]>, o: ConfirmOptions): Promise<void> {
  const firsts = new Map<string, Offence>();
  for (const offence of offences) {
    if (offence.kind !== 'turn-error' && !firsts.has(offenceSignature(offence))) firsts.set(offenceSignature(offence), offence);
  }
  for (const offence of [...firsts.values()].slice(0, o.maxGroups ?? 12)) {
    const route = o.routes.find((r) => r.name === offence.route);
    const steps = replays.get(offence);
    if (!route || !steps?.length) continue;
    if (offence.kind === 'crash') await findCulprit(offence, route, steps, o);
    else await withServer(route, o, (target) => replayOne(offence, steps[0], target)).catch(() => undefined);
  }
}

/** A fresh server with the route's refs and warm-up done; stopped afterwards. */
async function withServer<T>(route: FuzzRoute, o: ConfirmOptions, use: (target: ClientTarget, server: FuzzServerProcess) => Promise<T>): Promise<T> {
  const server = await FuzzServerProcess.start(o.serverEnv, () => undefined);
  try {
    const env = { base: `http://127.0.0.1:${server.port}`, sinks: o.sinks, secrets: o.secrets };
    const target: ClientTarget = { host: '127.0.0.1', port: server.port, hangMs: o.hangMs, refs: { ...o.sharedRefs(), ...(await route.prepare(env)) } };
    for (const step of route.warmUp) await sendStep(step, target);
    return await use(target, server);
  } finally {
    await server.stop();
  }
}

async function findCulprit(offence: Offence, route: FuzzRoute, steps: readonly FuzzStep[], o: ConfirmOptions): Promise<void> {
  for (let round = 0; round < CRASH_ROUNDS; round++) {
    const culprit = await withServer(route, o, async (target, server) => {
      for (const step of steps) {
        let sent: SentRequest | undefined;
        await sendStep(step, target, (r) => (sent = r)).catch(() => undefined);
        await sleep(300);
        if (server.exited) return sent;
      }
      return undefined;
    }).catch(() => undefined);
    if (culprit) return void (offence.alone = { reproduced: true, culprit });
  }
  offence.alone = { reproduced: false };
}

const happensAgain = (offence: Offence, outcome: StepOutcome): boolean =>
  offence.kind === 'hang' ? outcome.hang : offence.kind === '5xx' ? (outcome.status ?? 0) >= 500 : !!outcome.error && !outcome.errorExpected && !outcome.hang;

async function replayOne(offence: Offence, step: FuzzStep, target: ClientTarget): Promise<void> {
  const outcome = await sendStep(step, target);
  const reproduced = happensAgain(offence, outcome);
  let minimal: SentRequest | undefined;
  const variants = reproduced && step.kind === 'http' && step.body.kind === 'json' ? singleMutations(step.body.value) : undefined;
  for (const value of variants ?? []) {
    const variant: HttpStep = { ...(step as HttpStep), body: { kind: 'json', value }, note: mutationNotes(value) ?? '' };
    const again = await sendStep(variant, target);
    if (happensAgain(offence, again)) {
      minimal = again.request;
      break;
    }
  }
  offence.alone = { reproduced, ...(outcome.status !== undefined ? { status: outcome.status } : {}), ms: Math.round(outcome.ms), ...(minimal ? { minimal } : {}) };
}
