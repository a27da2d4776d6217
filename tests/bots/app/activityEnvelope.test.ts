import { expect } from 'chai';
import { checkActivityEnvelope } from '../../../bots/app/activityEnvelope';
import { directLineMessage, slackMessage, teamsMessage, TEAMS_BOT_ID, TEAMS_TENANT } from '../../helpers/channelActivities';

type Json = Record<string, unknown>;
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const LONE = '\ud800';

/** A copy of `activity` with `value` at `path` (`undefined` deletes it). */
function withField(activity: Json, path: string, value: unknown): Json {
  const copy = structuredClone(activity);
  const keys = path.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Json;
  if (value === undefined) delete node[keys[keys.length - 1]];
  else node[keys[keys.length - 1]] = value;
  return copy;
}

const reasonOf = (body: unknown) => {
  const checked = checkActivityEnvelope(body);
  return checked.ok ? undefined : checked.reason;
};

describe('checkActivityEnvelope', () => {
  const teams = teamsMessage('hi', { serviceUrl: SERVICE_URL });

  it('lets real Teams, Slack, Direct Line and Web Chat activities through, with the optional fields a channel may leave null', () => {
    const webchat = { ...directLineMessage('hi', { serviceUrl: 'http://127.0.0.1:3978/directline-connector/key' }), channelId: 'webchat' };
    const teamsChannelPost = {
      ...teams,
      conversation: { isGroup: true, conversationType: 'channel', tenantId: TEAMS_TENANT, id: '19:abc@thread.tacv2;messageid=1712345678901', name: 'Support' },
      channelData: { teamsChannelId: '19:abc@thread.tacv2', teamsTeamId: '19:def@thread.tacv2', channel: { id: '19:abc@thread.tacv2' }, team: { id: '19:def@thread.tacv2' }, tenant: { id: TEAMS_TENANT } },
    };
    const accepted: Json[] = [
      teams,
      teamsChannelPost,
      { ...teams, type: 'conversationUpdate', membersAdded: [{ id: TEAMS_BOT_ID }], text: undefined },
      { ...teams, type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute' } } },
      slackMessage('hi', { serviceUrl: 'https://slack.botframework.com/' }),
      directLineMessage('hi', { serviceUrl: 'https://directline.botframework.com/' }),
      webchat,
      { ...webchat, type: 'typing', text: undefined },
      // What a channel may leave out or null.
      { ...teams, id: null, locale: null, replyToId: null, channelData: null },
      withField(withField(teams, 'conversation.tenantId', null), 'from.name', null),
      withField(withField(teams, 'from.aadObjectId', undefined), 'recipient.name', undefined),
      // channelData is each channel's own: only Teams' tenant is typed.
      withField(slackMessage('hi', { serviceUrl: 'https://slack.botframework.com/' }), 'channelData.tenant', ['not', 'teams']),
      { ...teams, channelId: 'twilio-sms' },
    ];
    for (const activity of accepted) expect(reasonOf(activity), JSON.stringify(activity).slice(0, 120)).to.equal(undefined);
  });

  it('requires serviceUrl, channelId, conversation.id, from.id and recipient.id (every channel sends them), naming the field', () => {
    const cases: Array<[string, Json]> = [
      ['serviceUrl', withField(teams, 'serviceUrl', undefined)],
      ['serviceUrl', withField(teams, 'serviceUrl', null)],
      ['channelId', withField(teams, 'channelId', undefined)],
      ['conversation', withField(teams, 'conversation', undefined)],
      ['conversation.id', withField(teams, 'conversation.id', undefined)],
      ['conversation.id', withField(teams, 'conversation.id', '')],
      ['from', withField(teams, 'from', null)],
      ['from.id', withField(teams, 'from.id', undefined)],
      ['recipient', withField(teams, 'recipient', null)],
      ['recipient.id', withField(teams, 'recipient.id', undefined)],
      ['recipient', { ...teams, type: 'invoke', name: 'task/fetch', recipient: null }],
      ['from.id', { ...teams, type: 'conversationUpdate', from: {} }],
    ];
    for (const [field, activity] of cases) expect(reasonOf(activity), field).to.contain(`"${field}"`);
  });

  it('refuses the fields the Bot Framework schema types as strings (or booleans) when sent as anything else', () => {
    const values = [['x'], 42, { id: 'x' }, true];
    const fields = [
      'id',
      'locale',
      'conversation.id',
      'conversation.name',
      'conversation.tenantId',
      'conversation.conversationType',
      'conversation.aadObjectId',
      'conversation.role',
      'from.id',
      'from.name',
      'from.aadObjectId',
      'from.role',
      'recipient.id',
      'recipient.name',
      'channelData.tenant.id',
    ];
    for (const field of fields) {
      for (const value of values) {
        const reason = reasonOf(withField(teams, field, value));
        expect(reason, `${field} = ${JSON.stringify(value)}`).to.contain(`"${field}"`);
        expect(reason!.length).to.be.below(120);
      }
    }
    for (const value of ['true', 1, {}]) expect(reasonOf(withField(teams, 'conversation.isGroup', value))).to.contain('"conversation.isGroup"');
    expect(reasonOf(withField(teams, 'channelData.tenant', 'x'))).to.contain('"channelData.tenant"');
    expect(reasonOf(withField(teams, 'from.name', 'n'.repeat(1025)))).to.contain('"from.name"');
    expect(reasonOf(withField(teams, 'locale', 'l'.repeat(65)))).to.contain('"locale"');
  });

  it('refuses ids that are not well-formed UTF-16 (a lone surrogate cannot be put in a reply URL)', () => {
    for (const field of ['id', 'conversation.id', 'from.id', 'recipient.id', 'conversation.tenantId', 'from.aadObjectId']) {
      expect(reasonOf(withField(teams, field, `abc${LONE}`)), field).to.contain(`"${field}"`);
      expect(reasonOf(withField(teams, field, `${'\udfff'}x`)), field).to.contain(`"${field}"`);
    }
    expect(reasonOf(withField(teams, 'serviceUrl', `${SERVICE_URL}${LONE}`))).to.contain('"serviceUrl"');
    // A surrogate pair (an emoji) is well-formed.
    expect(reasonOf(withField(teams, 'from.id', '29:1😀'))).to.equal(undefined);
  });

  it('refuses a conversation.id a reply cannot carry in its x-ms-conversation-id header (controls, characters above U+00FF)', () => {
    for (const id of ['a:1\u{854ff}', 'a:1😀', 'a:\u0000', 'a:1\r\nx-evil: 1', 'a:\u0100', 'a:\u007f']) {
      expect(reasonOf(withField(teams, 'conversation.id', id)), JSON.stringify(id)).to.contain('"conversation.id"');
    }
    for (const id of ['19:abc@thread.tacv2;messageid=1712345678901', 'B01BOT0001:T01TEAM0001:D05DM1', 'DL1-eu|livechat', 'a:é ü\t1']) {
      expect(reasonOf(withField(teams, 'conversation.id', id)), id).to.equal(undefined);
    }
  });

  it('refuses channel ids that are not lower case, as every Bot Framework channel sends them', () => {
    for (const channelId of ['MSTEAMS', 'Slack', 'DirectLine', ' msteams', 'msteams\u0000', 'hub:webhook', 'a/b', '', 'c'.repeat(65), 42, ['msteams']]) {
      expect(reasonOf({ ...teams, channelId }), JSON.stringify(channelId)).to.contain('"channelId"');
    }
    for (const channelId of ['msteams', 'slack', 'directline', 'webchat', 'emulator', 'test', 'twilio-sms', 'directlinespeech']) {
      expect(reasonOf({ ...teams, channelId }), channelId).to.equal(undefined);
    }
  });
});
