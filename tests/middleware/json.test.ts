import { expect } from 'chai';
import { jsonTextTooDeep, MAX_JSON_DEPTH, valueTooDeep } from '../../middleware/shared/json';

const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const objects = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;

describe('jsonDepth', () => {
  it('accepts 64 levels of arrays or objects and refuses 65, on text and on parsed values alike', () => {
    expect(MAX_JSON_DEPTH).to.equal(64);
    for (const make of [arrays, objects]) {
      expect(jsonTextTooDeep(make(64)), make.name).to.equal(false);
      expect(jsonTextTooDeep(make(65)), make.name).to.equal(true);
      expect(jsonTextTooDeep(Buffer.from(make(65))), make.name).to.equal(true);
      expect(valueTooDeep(JSON.parse(make(64))), make.name).to.equal(false);
      expect(valueTooDeep(JSON.parse(make(65))), make.name).to.equal(true);
    }
    expect(jsonTextTooDeep('{"a":1}', 1)).to.equal(false);
    expect(valueTooDeep({ a: [1] }, 1)).to.equal(true);
    for (const scalar of ['1', '"x"', 'null', '']) expect(jsonTextTooDeep(scalar, 0), scalar).to.equal(false);
  });

  it('does not count brackets inside strings, escaped quotes included, in text or as UTF-8 bytes', () => {
    const text = JSON.stringify({ text: `${'['.repeat(500)} \\" ${'{'.repeat(500)} é 😀 "`, deep: [[[]]] });
    expect(jsonTextTooDeep(text, 4)).to.equal(false);
    expect(jsonTextTooDeep(Buffer.from(text), 4)).to.equal(false);
    expect(jsonTextTooDeep(text, 3)).to.equal(true);
    expect(jsonTextTooDeep(Buffer.from(text), 3)).to.equal(true);
  });

  it('checks 100,000 levels in linear time without overflowing the stack', () => {
    const text = arrays(100_000);
    const started = performance.now();
    expect(jsonTextTooDeep(text)).to.equal(true);
    expect(valueTooDeep(JSON.parse(text))).to.equal(true);
    // Wide but shallow: every node visited once.
    expect(valueTooDeep(JSON.parse(`[${Array.from({ length: 50_000 }, () => '{"a":[1]}').join(',')}]`))).to.equal(false);
    expect(performance.now() - started).to.be.below(2000);
  });

  it('does not loop on a cyclic value built in code', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(valueTooDeep(cyclic)).to.equal(false);
  });
});
