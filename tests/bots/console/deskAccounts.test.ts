import { expect } from 'chai';
import { CONSOLE_CHANNEL, DeskAccounts } from '../../../bots/console/deskAccounts';
import { deskCredentialDigest, type DeskSession } from '../../../bots/console/deskSessions';

const HASH_A = 'scrypt$1024$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const HASH_B = 'scrypt$1024$8$1$BBBBBBBBBBBBBBBBBBBBBB$BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';

const session = (agentId: string, credentialDigest: string): DeskSession => ({
  id: 's1',
  agentId,
  credentialDigest,
  csrfToken: 'csrf',
  createdAt: 0,
  lastSeenAt: 0,
});

describe('DeskAccounts', () => {
  const accounts = new DeskAccounts([{ id: 'Ana', displayName: 'Ana Martin', passwordHash: HASH_A }]);

  it('finds agents by their lower-case id and names them on the console channel', () => {
    const ana = accounts.find('ana');
    expect(ana?.id).to.equal('Ana');
    expect(accounts.find('Ana')).to.equal(undefined);
    expect(accounts.identity(ana!)).to.deep.equal({ id: 'Ana', name: 'Ana Martin', channel: CONSOLE_CHANNEL });
    expect(accounts.credentialOf(ana!)).to.equal(deskCredentialDigest(HASH_A));
  });

  it('keeps a session only for a configured agent under the password hash it signed in with', () => {
    expect(accounts.active(session('ANA', deskCredentialDigest(HASH_A)))).to.deep.equal({
      id: 's1',
      agent: { id: 'Ana', name: 'Ana Martin', channel: CONSOLE_CHANNEL },
      csrfToken: 'csrf',
    });
    expect(accounts.active(session('ana', deskCredentialDigest(HASH_B))), 'rotated password').to.equal(undefined);
    expect(accounts.active(session('ana', '')), 'no fingerprint').to.equal(undefined);
    expect(accounts.active(session('ben', deskCredentialDigest(HASH_A))), 'unknown agent').to.equal(undefined);
    expect(accounts.active(undefined)).to.equal(undefined);
  });
});
