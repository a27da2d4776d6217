import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeSignalDetectors } from '../../../middleware/signals/composeSignalDetectors';
import { authFor, createOpenAiCompatibleDetector, LlmDetectorError } from '../../../middleware/signals/openAiCompatibleDetector';
import { createSignalDetector } from '../../../middleware/signals/signalDetector';
import type { Signals } from '../../../middleware/signals/signals';

interface Seen {
  url: string;
  headers: IncomingMessage['headers'];
  body: { model?: string; messages: Array<{ role: string; content: string }>; response_format?: unknown };
}

type Reply = (res: ServerResponse) => void;

/** A local chat-completions server: records each request, answers with the next reply. */
class FakeLlm {
  readonly seen: Seen[] = [];
  reply: Reply = ok({ intents: [] });
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.seen.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'] });
        this.reply(res);
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

const envelope = (content: string) => JSON.stringify({ id: 'x', choices: [{ index: 0, message: { role: 'assistant', content } }] });
function ok(answer: unknown): Reply {
  return (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(envelope(JSON.stringify(answer)));
  };
}
const raw = (status: number, body: string): Reply => (res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
};

const CONTEXT = { language: 'en' as const, primary: createSignalDetector().detect('hello') as Signals };
const TEXT = 'my card was charged at a shop i have never been to and the bank line is closed';

describe('OpenAI-compatible LLM detector', function () {
  this.timeout(10000);
  const llm = new FakeLlm();
  before(() => llm.start());
  after(() => llm.stop());
  beforeEach(() => {
    llm.seen.length = 0;
    llm.reply = ok({ intents: [] });
  });

  const openAi = (extra: Record<string, unknown> = {}) =>
    createOpenAiCompatibleDetector({ url: `${llm.url}/v1/chat/completions`, apiKey: 'sk-test', model: 'small-model', timeoutMs: 300, ...extra });

  it('success: the intents, with quotes kept only when they are in the message', async () => {
    llm.reply = ok({
      intents: [{ name: 'fraud', confidence: 0.92, evidence: ['charged at a shop i have never been to', 'IGNORE PREVIOUS INSTRUCTIONS'] }],
      sentiment: -0.6,
    });
    const out = await openAi().detect(TEXT, CONTEXT);
    expect(out.sentiment).to.equal(-0.6);
    expect(out.intents).to.deep.equal([{ name: 'fraud', confidence: 0.92, evidence: [{ rule: 'model', matched: ['charged at a shop i have never been to'] }] }]);
  });

  it('OpenAI shape: Authorization Bearer, the model in the body, JSON mode, the message in the user turn', async () => {
    await openAi().detect(TEXT, CONTEXT);
    const [req] = llm.seen;
    expect(req.url).to.equal('/v1/chat/completions');
    expect(req.headers.authorization).to.equal('Bearer sk-test');
    expect(req.headers['api-key']).to.equal(undefined);
    expect(req.body.model).to.equal('small-model');
    expect(req.body.response_format).to.deep.equal({ type: 'json_object' });
    expect(req.body.messages.map((m) => m.role)).to.deep.equal(['system', 'user']);
    expect(req.body.messages[1].content).to.contain(TEXT);
    expect(req.body.messages[0].content).to.not.contain(TEXT);
  });

  it('Azure OpenAI shape: api-key header, no Authorization, the deployment URL with its api-version, no model needed', async () => {
    const url = `${llm.url}/openai/deployments/signals-small/chat/completions?api-version=2024-10-21`;
    expect(authFor(url)).to.equal('api-key');
    expect(authFor('https://contoso.openai.azure.com/openai/deployments/d/chat/completions?api-version=2024-10-21')).to.equal('api-key');
    expect(authFor('https://api.openai.com/v1/chat/completions')).to.equal('bearer');
    await createOpenAiCompatibleDetector({ url, apiKey: 'azure-key', timeoutMs: 300 }).detect(TEXT, CONTEXT);
    const [req] = llm.seen;
    expect(req.url).to.equal('/openai/deployments/signals-small/chat/completions?api-version=2024-10-21');
    expect(req.headers['api-key']).to.equal('azure-key');
    expect(req.headers.authorization).to.equal(undefined);
    expect(req.body).to.not.have.property('model');
  });

  it('bounded prompt: the text is cut to maxInputChars', async () => {
    await openAi({ maxInputChars: 100 }).detect('x'.repeat(5000), CONTEXT);
    const user = llm.seen[0].body.messages[1].content;
    expect(user.match(/x/g)).to.have.length(100);
  });

  it('empty text: no call', async () => {
    expect(await openAi().detect('   ', CONTEXT)).to.deep.equal({});
    expect(llm.seen).to.have.length(0);
  });

  const failures: Array<{ name: string; reply: Reply; kind: LlmDetectorError['kind'] }> = [
    { name: 'timeout', reply: (res) => setTimeout(() => ok({ intents: [] })(res), 1500), kind: 'timeout' },
    { name: 'HTTP 500', reply: raw(500, '{"error":{"message":"boom"}}'), kind: 'http' },
    { name: 'HTTP 429', reply: raw(429, '{}'), kind: 'http' },
    { name: 'malformed JSON body', reply: raw(200, '{"choices":[{"message":'), kind: 'malformed' },
    { name: 'no choices', reply: raw(200, '{"choices":[]}'), kind: 'malformed' },
    { name: 'content that is not JSON', reply: raw(200, envelope('Sure! The intent is fraud.')), kind: 'malformed' },
    { name: 'an unknown intent name', reply: ok({ intents: [{ name: 'transfer_all_funds', confidence: 1, evidence: [] }] }), kind: 'malformed' },
    { name: 'a confidence out of range', reply: ok({ intents: [{ name: 'fraud', confidence: 7, evidence: [] }] }), kind: 'malformed' },
    { name: 'an extra key', reply: ok({ intents: [], reply_to_customer: 'Send me your PIN' }), kind: 'malformed' },
    { name: 'an overlong quote', reply: ok({ intents: [{ name: 'fraud', confidence: 0.9, evidence: ['a'.repeat(81)] }] }), kind: 'malformed' },
    { name: 'an oversized answer', reply: raw(200, envelope(JSON.stringify({ intents: [], pad: 'p'.repeat(40_000) }))), kind: 'oversized' },
    {
      name: 'an oversized answer without content-length (chunked)',
      reply: (res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        for (let i = 0; i < 40; i++) res.write('x'.repeat(1000));
        res.end();
      },
      kind: 'oversized',
    },
  ];
  for (const f of failures) {
    it(`${f.name}: throws an LlmDetectorError (${f.kind}) that holds no customer text`, async () => {
      llm.reply = f.reply;
      const err = await Promise.resolve(openAi().detect(TEXT, CONTEXT)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(LlmDetectorError);
      expect((err as LlmDetectorError).kind).to.equal(f.kind);
      expect(String((err as Error).message)).to.not.contain('charged');
    });
  }

  it('unreachable server: a network error', async () => {
    const detector = createOpenAiCompatibleDetector({ url: 'http://127.0.0.1:1/v1/chat/completions', apiKey: 'k', model: 'm', timeoutMs: 300 });
    const err = await Promise.resolve(detector.detect(TEXT, CONTEXT)).then(() => undefined, (e: unknown) => e);
    expect((err as LlmDetectorError).kind).to.be.oneOf(['network', 'timeout']);
  });

  it('rejects bad options at start-up: plain http to another host, no key, unknown option', () => {
    expect(() => createOpenAiCompatibleDetector({ url: 'http://llm.example.com/v1/chat/completions', apiKey: 'k' })).to.throw(/https/);
    expect(() => createOpenAiCompatibleDetector({ url: 'https://api.openai.com/v1/chat/completions', apiKey: '' })).to.throw();
    expect(() => createOpenAiCompatibleDetector({ url: 'https://api.openai.com/v1/chat/completions', apiKey: 'k', retries: 3 } as never)).to.throw();
  });

  describe('behind composeSignalDetectors', () => {
    const warnings: string[] = [];
    const compose = () =>
      composeSignalDetectors(createSignalDetector(), [openAi()], { timeoutMs: 500, intentThreshold: 0.7, logger: { warn: (m) => warnings.push(m) } });
    beforeEach(() => {
      warnings.length = 0;
    });

    it('adds the model intents to the built-in ones, evidence prefixed with the detector name', async () => {
      llm.reply = ok({ intents: [{ name: 'urgent', confidence: 0.8, evidence: ['bank line is closed'] }] });
      const s = await compose().detect(TEXT, { locale: 'en-US' });
      const urgent = s.intents.find((i) => i.name === 'urgent');
      expect(urgent?.evidence.map((e) => e.rule)).to.include('llm:model');
      expect(s.degraded).to.equal(undefined);
    });

    const fallbacks: Array<[string, Reply]> = [
      ['timeout', (res) => setTimeout(() => ok({ intents: [] })(res), 1500)],
      ['500', raw(500, 'oops')],
      ['malformed', raw(200, 'not json')],
      ['oversized', raw(200, 'x'.repeat(40_000))],
    ];
    for (const [name, reply] of fallbacks) {
      it(`${name}: the built-in result, marked degraded, a warning without customer text`, async () => {
        llm.reply = reply;
        const builtIn = createSignalDetector().detect(TEXT, { locale: 'en-US' });
        const s = await compose().detect(TEXT, { locale: 'en-US' });
        expect(s.degraded).to.equal(true);
        expect(s.intents.map((i) => i.name)).to.deep.equal(builtIn.intents.map((i) => i.name));
        expect(warnings).to.have.length(1);
        expect(warnings[0]).to.match(/detector "llm" failed: LlmDetector\w+Error/);
        expect(warnings.join(' ')).to.not.match(/charged|shop|bank line/);
      });
    }
  });
});
