// Customer <-> agent relay latency through the production server on Redis (loopback): a Direct Line customer and a
// Teams agent who accepted the case, each message timed from its POST until it reaches the other side's connector.
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { percentile } from './load';
import { runStandalone, type BenchOutput } from './benchParts';
import { TEAMS_AGENT, startHandoffServer, type HandoffBenchServer } from './handoffServer';

const CASE_ID = /"caseId":"(C-[0-9A-Z]+)"/;

/** Options of {@link benchRelay}. */
export interface RelayBenchOptions {
  /** Messages timed each way (after `warmup` untimed ones). Default 500. */
  readonly messages?: number;
  /** Default 50. */
  readonly warmup?: number;
  /** A running server (the caller stops it); default: one started and stopped here. */
  readonly server?: HandoffBenchServer;
}

/**
 * Opens a case, has the Teams agent accept it, then alternates a customer message and an agent reply, one at a time.
 *
 * @returns rows per direction and a summary with `relayP99Ms` (customer -> agent), `relayBackP99Ms` (agent ->
 * customer); budget: p99 < 20 ms each way.
 */
export async function benchRelay(options: RelayBenchOptions = {}): Promise<BenchOutput> {
  const messages = options.messages ?? 500;
  const warmup = options.warmup ?? 50;
  const s = options.server ?? (await startHandoffServer());
  const customerConv = `bench-relay-${randomUUID().slice(0, 8)}`;
  const toAgent: number[] = [];
  const toCustomer: number[] = [];

  const timeOne = async (send: () => Promise<void>, conversationId: string, text: string): Promise<number> => {
    const t0 = performance.now();
    const arrived = s.connector.waitFor((c) => c.conversationId === conversationId && (c.activity.text ?? '').endsWith(text), 10_000);
    await send();
    await arrived;
    return performance.now() - t0;
  };

  try {
    s.connector.clear();
    await s.customer(customerConv, 'I want to speak to a human');
    // The case's card in the agent's chat carries its id (the queue holds no other case).
    const card = await s.connector.waitFor((c) => c.conversationId === TEAMS_AGENT.conversationId && CASE_ID.test(JSON.stringify(c.activity)), 10_000);
    await s.teamsAgent(`accept ${CASE_ID.exec(JSON.stringify(card.activity))?.[1] ?? ''}`);
    for (let i = 0; i < warmup + messages; i++) {
      s.connector.clear();
      const a = await timeOne(() => s.customer(customerConv, `message ${i} from the customer`), TEAMS_AGENT.conversationId, `message ${i} from the customer`);
      const b = await timeOne(() => s.teamsAgent(`reply ${i} from the agent`), customerConv, `reply ${i} from the agent`);
      if (i >= warmup) {
        toAgent.push(a);
        toCustomer.push(b);
      }
    }
    await s.teamsAgent('close');
  } finally {
    if (!options.server) await s.stop();
  }
  toAgent.sort((x, y) => x - y);
  toCustomer.sort((x, y) => x - y);
  const row = (direction: string, xs: number[]) => ({
    direction,
    messages: String(xs.length),
    'median ms': percentile(xs, 50).toFixed(2),
    'p99 ms': percentile(xs, 99).toFixed(2),
    'max ms': (xs[xs.length - 1] ?? NaN).toFixed(2),
  });
  return {
    title: "Handoff relay, Redis on loopback (POST /api/messages -> the message at the other side's connector; budget p99 < 20 ms)",
    rows: [row('customer -> agent (Teams)', toAgent), row('agent (Teams) -> customer', toCustomer)],
    summary: {
      relayMedianMs: Number(percentile(toAgent, 50).toFixed(2)),
      relayP99Ms: Number(percentile(toAgent, 99).toFixed(2)),
      relayBackMedianMs: Number(percentile(toCustomer, 50).toFixed(2)),
      relayBackP99Ms: Number(percentile(toCustomer, 99).toFixed(2)),
    },
  };
}

if (require.main === module) runStandalone(() => benchRelay({ messages: Number(process.argv[2] ?? 500) || 500 }));
