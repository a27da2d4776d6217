import { expect } from 'chai';
import { renderTrackingReply, trackingSummary, ADAPTIVE_CARD_CONTENT_TYPE, type TrackingView } from '../../../dialogs/rendering/renderTrackingReply';
import { renderMode } from '../../../dialogs/rendering/renderMode';
import { trackingCard, type AdaptiveCardJson } from '../../../dialogs/rendering/trackingCard';
import { messagesFor, type DialogLanguage } from '../../../dialogs/messages';
import type { ParcelStatus } from '../../../dialogs/tracking/trackingProvider';
import { cardProblems } from '../../helpers/adaptiveCards';

const STATUSES: ParcelStatus[] = [
  'delivered', 'in_transit', 'out_for_delivery', 'delayed', 'exception_damaged', 'exception_lost', 'returned_to_sender', 'not_found',
];

const view = (status: ParcelStatus, language: DialogLanguage, overrides: Partial<TrackingView> = {}): TrackingView => {
  const m = messagesFor(language);
  return {
    language,
    status,
    headline: m.statusHeadline(status, 'warm'),
    advice: m.statusAdvice(status),
    statusName: m.statusName(status),
    carrierName: m.carrierName('colissimo'),
    trackingNumber: '6A24188037153',
    lastEvent: status === 'not_found' ? undefined : m.labels.placeAndTime('Lyon, FR', language === 'fr' ? 'mardi 3 juin à 14:05' : 'Tuesday, June 3 at 2:05 PM'),
    expectedDelivery: status === 'delivered' || status === 'not_found' ? undefined : language === 'fr' ? 'jeudi 5 juin' : 'Thursday, June 5',
    deliveredAt: status === 'delivered' ? (language === 'fr' ? 'mardi 3 juin à 14:05' : 'Tuesday, June 3 at 2:05 PM') : undefined,
    labels: m.labels,
    ...overrides,
  };
};

describe('channel rendering of the tracking answer', () => {
  it('picks the rendering per channel', () => {
    expect(['msteams', 'webchat', 'directline', 'emulator'].map(renderMode)).to.deep.equal(['card', 'card', 'card', 'card']);
    expect(renderMode('slack')).to.equal('slack');
    expect(['sms', 'email', 'facebook', undefined].map(renderMode)).to.deep.equal(['plain', 'plain', 'plain', 'plain']);
  });

  describe('Adaptive Card (msteams, webchat, directline, emulator)', () => {
    it('the parser itself reports a broken card (the check can fail)', () => {
      const broken = { ...trackingCard(view('in_transit', 'en')), body: [{ type: 'Carousel' }, { type: 'TextBlock' }] };
      expect(cardProblems(broken)).to.have.length.greaterThan(0);
    });

    for (const language of ['en', 'fr'] as const) {
      for (const status of STATUSES) {
        it(`${status} in ${language}: valid for schema 1.5, localised, with summary and speak`, () => {
          const v = view(status, language);
          for (const channel of ['msteams', 'webchat', 'directline', 'emulator']) {
            const reply = renderTrackingReply(v, channel);
            expect(reply.attachments).to.have.length(1);
            const attachment = reply.attachments?.[0];
            expect(attachment?.contentType).to.equal(ADAPTIVE_CARD_CONTENT_TYPE);
            const card = attachment?.content as AdaptiveCardJson;
            expect(cardProblems(card), `${channel} ${status} ${language}`).to.deep.equal([]);
            expect(Number(card.version)).to.be.at.most(1.5);
            expect(reply.summary).to.equal(trackingSummary(v));
            expect(reply.speak).to.equal(reply.summary);
            expect(reply.text, 'no text bubble doubling the card').to.equal(undefined);
            expect(JSON.stringify(card).length).to.be.below(28 * 1024);
          }
          const json = JSON.stringify(trackingCard(v));
          expect(json).to.include(v.labels.status).and.include(v.statusName).and.include(v.labels.trackingNumber);
          if (v.lastEvent) expect(json).to.include('Lyon, FR');
          if (v.expectedDelivery) expect(json).to.include(v.labels.expectedDelivery);
        });
      }
    }

    it('escapes Markdown in carrier data so it cannot become a link', () => {
      const card = trackingCard(view('in_transit', 'en', { lastEvent: '[click](http://evil.example) *now*' }));
      const texts = card.body.map((b) => String(b.text));
      expect(texts).to.include('**Last update:** \\[click\\]\\(http://evil.example\\) \\*now\\*');
    });
  });

  describe('Slack mrkdwn', () => {
    it('bold labels with single asterisks, bullets, no headings, no attachments', () => {
      const reply = renderTrackingReply(view('delayed', 'en'), 'slack');
      expect(reply.attachments).to.equal(undefined);
      expect(reply.textFormat).to.equal('plain');
      const text = reply.text ?? '';
      expect(text.split('\n')[0]).to.equal("*Your parcel* — I'm sorry, your parcel is delayed.");
      expect(text).to.include('• *Status:* Delayed').and.include('• *Tracking number:* 6A24188037153');
      expect(text).to.include('• *Expected delivery:* Thursday, June 5');
      expect(text).to.not.match(/^#/m).and.not.include('**');
    });

    it('French uses a no-break space before the colon', () => {
      const text = renderTrackingReply(view('in_transit', 'fr'), 'slack').text ?? '';
      expect(text).to.include('• *Statut\u00a0:* En transit');
    });

    it('escapes &, < and > so carrier data cannot become a mention or a link', () => {
      const text = renderTrackingReply(view('in_transit', 'en', { lastEvent: '<!channel> A&B <http://x|y>' }), 'slack').text ?? '';
      expect(text).to.include('&lt;!channel&gt; A&amp;B &lt;http://x|y&gt;');
      expect(text).to.not.include('<!channel>');
    });
  });

  describe('plain text elsewhere', () => {
    it('lines of label: value, no formatting characters', () => {
      const reply = renderTrackingReply(view('delivered', 'en'), 'sms');
      expect(reply.attachments).to.equal(undefined);
      expect(reply.text).to.equal(
        [
          'Good news: your parcel has been delivered!',
          'Status: Delivered',
          'Carrier: Colissimo',
          'Tracking number: 6A24188037153',
          'Last update: Lyon, FR — Tuesday, June 3 at 2:05 PM',
          'Delivered: Tuesday, June 3 at 2:05 PM',
        ].join('\n'),
      );
    });

    it('not found: headline, facts it has, and advice', () => {
      const text = renderTrackingReply(view('not_found', 'fr'), 'line').text ?? '';
      expect(text.split('\n')[0]).to.equal("Je n'ai trouvé aucun colis avec ce numéro.");
      expect(text).to.include('Statut\u00a0: Introuvable').and.include('je ne l’ai pas'.replace('’', "'"));
      expect(text).to.not.include('Dernière mise à jour');
    });
  });
});
