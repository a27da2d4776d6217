/**
 * Makes the demo carrier send a real, signed AfterShip event to a locally running Warmline (`npm start`), so a person
 * watching the web chat sees the message sent first arrive.
 *
 * Usage: `npm run demo:event -- <tracking number> <status>`, status one of in_transit, delayed, out_for_delivery,
 * delivered, attempt_failed, pickup, damaged, lost, returned. Reads `PORT` (default 3978).
 */
import { DEMO_EVENT_STATUSES } from '../bots/carriers/registerDemoCarrierEventRoute';

async function main(argv: string[]): Promise<number> {
  const [trackingNumber, status] = argv;
  const statuses = Object.keys(DEMO_EVENT_STATUSES);
  if (!trackingNumber || !status || !statuses.includes(status)) {
    console.error(`usage: npm run demo:event -- <tracking number> <${statuses.join('|')}>`);
    return 2;
  }
  const port = Number(process.env.PORT ?? 3978);
  const res = await fetch(`http://127.0.0.1:${port}/api/dev/carrier-events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ trackingNumber, status }),
  }).catch((err: unknown) => {
    console.error(`no Warmline on port ${port} (start it with npm start): ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  });
  if (!res) return 1;
  console.log(`${res.status} ${await res.text()}`);
  return res.ok ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => (process.exitCode = code));
