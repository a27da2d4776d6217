// The server under fuzz, run as a child process by `fuzzRunner.ts` (node --expose-gc --import tsx): the whole Warmline
// app from `createApp`, configured by the parent over IPC (no environment is read here). A crash is this process
// exiting; heap figures are this process's alone.
import { loadConfig } from '../../config';
import { createApp, type WarmlineApp } from '../../bots/app/createApp';
import { createLogger, type LogLevel } from '../../middleware/shared/logger';

/** Messages the parent sends to the fuzz server. */
export type ToFuzzServer = { type: 'start'; env: Record<string, string> } | { type: 'heap' } | { type: 'stop' };

/** Messages the fuzz server sends to the parent. */
export type FromFuzzServer =
  | { type: 'listening'; port: number }
  | { type: 'heap'; heapUsed: number }
  | { type: 'log'; level: Exclude<LogLevel, 'silent'>; event: string; fields: Record<string, unknown> }
  | { type: 'stopped' };

const reply = (message: FromFuzzServer): void => {
  process.send?.(message);
};

/** Error-level log lines go to the parent (Warmline logs ids and error classes only, never customer text). */
const ipcLogger = createLogger({
  level: 'error',
  write: (line, level) => {
    const fields = JSON.parse(line) as Record<string, unknown>;
    const event = String(fields.event);
    for (const key of ['t', 'level', 'event']) delete fields[key];
    reply({ type: 'log', level, event, fields });
  },
});

let app: WarmlineApp | undefined;

async function start(env: Record<string, string>): Promise<void> {
  app = createApp({ config: loadConfig(env), logger: ipcLogger, warmRecognizers: false });
  const { port } = await app.start();
  reply({ type: 'listening', port });
}

function heap(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('fuzzServer: start node with --expose-gc');
  // Twice: the first pass can leave objects with finalizers for the second.
  gc();
  gc();
  reply({ type: 'heap', heapUsed: process.memoryUsage().heapUsed });
}

process.on('message', (message: ToFuzzServer) => {
  if (message.type === 'start') {
    start(message.env).catch((err: unknown) => {
      console.error('fuzzServer: start failed', err);
      process.exit(70);
    });
  } else if (message.type === 'heap') {
    heap();
  } else if (message.type === 'stop') {
    void (app?.stop() ?? Promise.resolve()).finally(() => {
      reply({ type: 'stopped' });
      process.disconnect?.();
      process.exit(0);
    });
  }
});
// The parent went away (killed, crashed): nothing left to serve.
process.on('disconnect', () => process.exit(0));
