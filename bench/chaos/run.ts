/**
 * `npm run chaos`: two Warmline instances on a real Redis behind one fake channel; one instance is killed mid-relay and
 * Redis is stopped for 5 s. Prints messages sent, lost and duplicated; exits 1 on any loss or duplicate.
 *
 * Flags: --pairs N (default 10), --messages N per side of a pair (default 30), --outage-ms N (default 5000).
 */
import { runChaos } from './chaos';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

async function main(): Promise<void> {
  const report = await runChaos({
    pairs: flag('pairs', 10),
    messagesPerSide: flag('messages', 30),
    redisOutageMs: flag('outage-ms', 5000),
    log: (line) => console.log(`  ${line}`),
  });
  console.log('');
  console.log(`chaos: ${report.sent} messages relayed (customer -> agent and agent -> customer) in ${(report.durationMs / 1000).toFixed(1)} s`);
  for (const fault of report.faults) console.log(`  fault: ${fault}`);
  console.log(`  delivered ${report.delivered}, lost ${report.lost}, duplicated ${report.duplicated}`);
  console.log(`  activities the channel had to send again: ${report.retriedActivities}; answers seen: ${JSON.stringify(report.answers)}`);
  for (const example of report.examples) console.log(`  ! ${example}`);
  process.exit(report.lost === 0 && report.duplicated === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`chaos: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(2);
});
