import { expect } from 'chai';
import { estimateWait } from '../../../middleware/handoff/waitEstimate';

describe('estimateWait', function () {
  const min = 60_000;
  const table: Array<{ name: string; position: number; agents: number; times: number[]; expected: number | undefined }> = [
    { name: 'no agent online', position: 1, agents: 0, times: [4 * min], expected: undefined },
    { name: 'first in line, one agent: half a handling time', position: 1, agents: 1, times: [4 * min], expected: 2 * min },
    { name: 'third in line, one agent', position: 3, agents: 1, times: [4 * min], expected: 10 * min },
    { name: 'third in line, two agents', position: 3, agents: 2, times: [4 * min], expected: 6 * min },
    { name: 'median of odd samples', position: 1, agents: 1, times: [2 * min, 100 * min, 4 * min], expected: 2 * min },
    { name: 'median of even samples', position: 1, agents: 1, times: [2 * min, 6 * min], expected: 2 * min },
    { name: 'no history: default 5 minutes', position: 1, agents: 1, times: [], expected: 2.5 * min },
  ];
  for (const row of table) {
    it(row.name, function () {
      expect(estimateWait({ position: row.position, onlineAgents: row.agents, handlingTimesMs: row.times })).to.equal(row.expected);
    });
  }
});
