// The worst a customer can type: 256 KB bodies of adversarial text posted to /api/messages, through the bot, while
// waiting for an agent and while an agent holds the case. Budget: < 50 ms end to end for a 256 KB body.
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../config';
import { createApp } from '../bots/app/createApp';
import { FakeConnector } from '../tests/helpers/fakeConnector';
import { directLineMessage } from '../tests/helpers/channelActivities';
import { runStandalone, type BenchOutput } from './benchParts';

/** Adversarial texts, each repeated to fill a body of about `bytes`. */
export function hostileTexts(bytes: number): Array<{ name: string; text: string }> {
  const fillTo = (unit: string) => {
    const size = Buffer.byteLength(unit);
    return unit.repeat(Math.max(1, Math.floor(bytes / size)));
  };
  return [
    { name: 'digits with single spaces', text: fillTo('1 ') },
    { name: 'digits with dashes', text: fillTo('4-') },
    { name: 'card-like groups', text: fillTo('4242 4242 4242 424 ') },
    { name: 'one long word', text: fillTo('a') },
    { name: 'long repeated token', text: fillTo('fraud ') },
    { name: 'nested punctuation', text: fillTo('((([[[{{{') },
    { name: 'at signs and dots', text: fillTo('a@a.') },
    { name: 'phone-like', text: fillTo('+1 ') },
    { name: 'emoji run', text: fillTo('😡') },
    { name: 'French accents', text: fillTo('é') },
  ];
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * Posts each hostile text as a 256 KB activity on three paths (bot, waiting, assigned) and times the request.
 *
 * @returns table rows per path and a summary with `hostileWorstMs` (budget: < 50 ms).
 */
export async function benchHostileText(options: { bodyBytes?: number; repeats?: number } = {}): Promise<BenchOutput> {
  const bodyBytes = options.bodyBytes ?? 256 * 1024;
  const repeats = options.repeats ?? 5;
  const connector = new FakeConnector();
  const serviceUrl = await connector.start();
  const app = createApp({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', WEBCHAT: 'off', LOG_LEVEL: 'silent', MAX_BODY_BYTES: String(bodyBytes) }),
    warmRecognizers: true,
  });
  const { url } = await app.start();
  // The recognizers warm in the background (~2 s): wait, as /readyz does, so the first French parse is not timed.
  for (let i = 0; i < 200 && !app.readiness().ready; i++) await new Promise((r) => setTimeout(r, 50));
  const agent = { id: 'bench-agent', name: 'Bench', channel: 'console' };
  await app.handoff.presence.set(agent, 'online', undefined, 3_600_000);
  const post = async (body: string): Promise<{ ms: number; status: number }> => {
    const t0 = performance.now();
    const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.arrayBuffer();
    return { ms: performance.now() - t0, status: res.status };
  };
  // Leave room for the JSON around the text.
  const texts = hostileTexts(bodyBytes - 1024);
  const rows: Array<Record<string, string>> = [];
  let worst = 0;
  let conv = 0;
  try {
    // Warm-up (not timed): the first requests of a process pay for compiling every path they take.
    for (const { text } of texts) {
      const conversationId = `bench-hostile-warm-${++conv}`;
      await post(JSON.stringify(directLineMessage(text, { serviceUrl, conversationId, userId: `u-${conversationId}` })));
    }
    connector.clear();
    for (const path of ['bot', 'waiting', 'assigned'] as const) {
      const times: number[] = [];
      let worstName = '';
      let worstHere = 0;
      let statuses = new Set<number>();
      for (const { name, text } of texts) {
        for (let r = 0; r < repeats; r++) {
          const conversationId = `bench-hostile-${++conv}`;
          const say = (t: string) => JSON.stringify(directLineMessage(t, { serviceUrl, conversationId, userId: `u-${conversationId}` }));
          if (path !== 'bot') {
            await post(say('I want to speak to a human'));
            if (path === 'assigned') {
              const c = await app.handoff.customers.findOpenCase(`directline/${conversationId}`);
              if (c) await app.handoff.agents.accept(c.id, agent);
            }
          }
          const body = say(text);
          const { ms, status } = await post(body);
          statuses.add(status);
          times.push(ms);
          if (ms > worstHere) {
            worstHere = ms;
            worstName = name;
          }
          connector.clear();
        }
      }
      times.sort((a, b) => a - b);
      worst = Math.max(worst, worstHere);
      rows.push({
        path,
        bodies: String(times.length),
        'median ms': quantile(times, 0.5).toFixed(1),
        'max ms': worstHere.toFixed(1),
        'slowest input': worstName,
        statuses: [...statuses].join(' '),
      });
      statuses = new Set();
    }
  } finally {
    await app.handoff.idle();
    await app.stop();
    await connector.stop();
  }
  return {
    title: `Hostile text: ${Math.round(bodyBytes / 1024)} KB bodies of adversarial text posted to /api/messages, end to end (budget < 50 ms)`,
    rows,
    summary: { hostileWorstMs: Number(worst.toFixed(1)) },
  };
}

if (require.main === module) runStandalone(() => benchHostileText());
