import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../../config';
import { wireSignalsDetector } from '../../../bots/app/wireTurnPipeline';
import type { Logger, LogFields } from '../../../middleware/shared/logger';

const TEXT = 'someone took money out of my account last night and I did not do it';

/** Records every log line (event and fields). */
function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (event: string, fields?: LogFields) => void lines.push(`${level} ${event} ${JSON.stringify(fields ?? {})}`);
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

describe('wireSignalsDetector (SIGNALS_LLM_*)', function () {
  this.timeout(10000);
  let server: Server;
  let url = '';
  let status = 200;
  const seen: IncomingMessage['headers'][] = [];
  before(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/json' });
        const content = JSON.stringify({ intents: [{ name: 'fraud', confidence: 0.95, evidence: ['took money out of my account'] }] });
        res.end(status === 200 ? JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }) : '{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('off by default: the built-in detector alone, no call', async () => {
    const lines: string[] = [];
    const detector = wireSignalsDetector(loadConfig({}), recordingLogger(lines));
    const before = seen.length;
    const s = await detector.detect(TEXT, { locale: 'en-US' });
    expect(s.intents.flatMap((i) => i.evidence.map((e) => e.rule)).some((r) => r.startsWith('llm:'))).to.equal(false);
    expect(seen.length).to.equal(before);
    expect(lines).to.deep.equal([]);
  });

  it('on: the LLM intents are merged, with the Azure header shape for a deployment URL', async () => {
    const lines: string[] = [];
    status = 200;
    const config = loadConfig({
      SIGNALS_LLM_URL: `${url}/openai/deployments/signals/chat/completions?api-version=2024-10-21`,
      SIGNALS_LLM_API_KEY: 'azure-key',
    });
    const s = await wireSignalsDetector(config, recordingLogger(lines)).detect(TEXT, { locale: 'en-US' });
    const fraud = s.intents.find((i) => i.name === 'fraud');
    expect(fraud?.evidence.map((e) => e.rule)).to.include('llm:model');
    expect(seen[seen.length - 1]['api-key']).to.equal('azure-key');
    expect(lines.join('\n')).to.match(/info signals.llm_detector_on/);
  });

  it('a failing endpoint: the built-in result, degraded, and a warning without customer text or key', async () => {
    const lines: string[] = [];
    status = 500;
    const config = loadConfig({ SIGNALS_LLM_URL: `${url}/v1/chat/completions`, SIGNALS_LLM_API_KEY: 'sk-secret', SIGNALS_LLM_MODEL: 'm' });
    const s = await wireSignalsDetector(config, recordingLogger(lines)).detect(TEXT, { locale: 'en-US' });
    expect(s.degraded).to.equal(true);
    expect(seen[seen.length - 1].authorization).to.equal('Bearer sk-secret');
    const all = lines.join('\n');
    expect(all).to.match(/warn signals.custom_detector_failed .*LlmDetectorHttpError/);
    expect(all).to.not.match(/took money|sk-secret/);
  });
});
