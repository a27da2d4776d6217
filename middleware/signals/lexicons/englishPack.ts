/**
 * Built-in English language pack: intent rules, emotion lexicons, negation, intensifiers, SMS spellings and typos.
 *
 * Written by the Warmline project (MIT licence). The sentiment valences are the AFINN-165 list shipped with the
 * `sentiment` package (MIT, Andrew Sliwinski; AFINN by Finn Årup Nielsen, ODbL) plus a few customer-service words
 * added here.
 */
import englishAfinn from 'sentiment/languages/en/labels.json';
import type { LanguagePack, PatternRule } from '../languagePack';

// Shared fragments (normalised text: lower case, no accents, contractions expanded).
const KIN =
  '(?:mother|mom|mum|mommy|mummy|mama|father|dad|daddy|papa|husband|wife|spouse|partner|son|daughter|child|baby|' +
  'brother|sister|grandmother|grandma|granny|nan|nana|grandfather|grandpa|grandad|granddad|uncle|aunt|auntie|' +
  'cousin|nephew|niece|fiance|fiancee|boyfriend|girlfriend|parent|parents|stepfather|stepmother|stepdad|stepmom|' +
  'stepmum|mother in law|father in law|best friend|friend|relative|family member|loved one|twin|grandson|' +
  'granddaughter|kid|children)';
const KIN_S = `(?:${KIN}s?)`;
const THINGS =
  '(?:card|cards|wallet|wallets|purse|phone|phones|mobile|cellphone|cell phone|iphone|handbag|bag|bags|backpack|' +
  'credit card|debit card|bank card|visa|mastercard|amex|checkbook|chequebook|cheque book|id|pin|details|belongings)';
const TX =
  '(?:payment|payments|charge|charges|transaction|transactions|withdrawal|withdrawals|purchase|purchases|debit|' +
  'debits|direct debit|cash|money|transfer|transfers|deduction|deductions|activity|activities|withdraw|wd|' +
  'purchasing|spending|order|orders|subscription|bill|invoice|payment request)';
const TX_WIDE = `(?:${TX.slice(3, -1)}|merchant|seller|vendor|company|store|shop|name|funds|deposit|fee|charge on my card)`;
// "X, later Y" for `unless` (tested once on a message): `X.*Y` would read the rest of the message again from every X
// (quadratic); anchored, the first X is found once (no X words nest a shorter one that ends sooner) and `.*Y` runs
// from there only.
const thenLater = (first: string, later: string): string => `^(?:(?!${first}).)*${first}.*${later}`;
const TIMING_WORDS =
  '\\b(?:how long|how many days|how soon|how quickly|when will|when can|when do|timeline|expected time|time to get|till i get|until i get|before i (?:can )?get|before a new|status of)\\b';
const REPLACE_WORDS = '\\b(?:replace|replaced|replacing|replacement)\\b';
const REPLACEMENT_TIMING = `${thenLater(TIMING_WORDS, '\\b(?:replace|replaced|replacing|replacement|new one|new card|new credit card|new debit card)\\b')}|${thenLater(REPLACE_WORDS, '\\b(?:how long|soon|quickly|when)\\b')}`;
const NOT_LOST = `${REPLACEMENT_TIMING}|\\b(?:in|during) (?:the )?(?:delivery|mail|post|transit|shipping)\\b|\\b(?:has not|have not|did not|never|not yet|still not) (?:arrived|come|been delivered|received|got)\\b|\\bfound (?:it|my card|my phone|my wallet|them)\\b|\\bturned up\\b|\\b(?:virtual|disposable|digital) card\\b|\\b(?:ordered|arrive|arriving|delivery|delivered|shipped|shipping|in the mail|posted)\\b`;
const WANT = '(?:want|wanna|need|get me|give me|find me|bring me|would like|like|prefer|have|got|must|request|requesting|demand|please|pls|can i|could i|may i|let me|help me|how|how do i|how can i|how to|where|trying)';
const PERSON =
  '(?:human|humans|human being|person|people|agent|agents|operator|operators|representative|representatives|rep|' +
  'reps|somebody|someone|staff|employee|advisor|adviser|consultant|supervisor|manager|assistant|associate|' +
  'specialist|team member|live agent|live person|real person|real human|actual person|actual human|' +
  '(?:customer|client|cust) ?(?:service|services|support|assistance|care|team|desk|rep|representative)|' +
  'support team|service team|help ?desk|call (?:centre|center)|someone real|a human)';

const rule = (
  id: string,
  kind: PatternRule['kind'],
  name: string,
  pattern: string,
  weight: number,
  extra: Partial<Pick<PatternRule, 'negatable' | 'unless'>> = {},
): PatternRule => ({ id, kind, name, pattern, weight, ...extra });

const HOURS_QUESTION = '\\b(?:what|which) (?:hours|time|times|days)\\b|\\bopening (?:hours|times)\\b|\\bhours\\b|\\bschedule\\b|\\bwhen (?:can|could|is|are|do)\\b|\\bopen on\\b';

// A deadline that matters: something essential in the parcel or payment (medicine, a document, a baby's food, an aid
// the customer cannot do without) or a housing date that cannot move, with a time or an event it is needed for:
// the item first, the time within ten tokens after it (bounded: each start reads at most ten tokens further).
const ESSENTIAL =
  '(?:medicine|medicines|medication|medications|meds|prescription|prescriptions|insulin|inhaler|inhalers|epipen|epipens|' +
  'epi pen|epi pens|adrenaline|tablets|pills|antibiotics|chemo|dialysis|oxygen|nebuli[sz]er|baby formula|formula|' +
  'nappies|diapers|breast pump|hearing aid|hearing aids|wheelchair|prescription glasses|glasses|contact lenses|' +
  'passport|passports|visa|documents|paperwork|papers|birth certificate|death certificate|marriage certificate|' +
  'certificate|id card|identity card|driving licen[cs]e|residence permit|boarding pass|tickets|keys|work phone|' +
  'work laptop|wedding dress|wedding rings?|splint|crutches|stair lift|oxygen concentrator)';
const HOUSING =
  '(?:eviction|evicted|evict|repossession|repossess|repossessed|bailiffs?|cut off|disconnected|shut off|foreclosure|' +
  'house completion|completion|lose the (?:house|flat|apartment)|deposit for the (?:flat|house|apartment)|rent is due|' +
  'move out|moving out|moving in|move in|removal van|lease)';
const NEEDED_WHEN =
  '(?:today|tonight|tonights|tomorrow|this (?:morning|afternoon|evening)|(?:by|before|until|till|for|this|next) ' +
  '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|noon|midnight|the weekend|\\d{1,2}(?: ?(?:am|pm))?)|' +
  'in (?:an|one|two|three|\\d+) (?:hour|hours|minutes)|\\d{1,2} ?(?:am|pm)|flight|fly|flying|plane|trip|travel|' +
  'travelling|traveling|departure|hearing|court|interview|exam|exams|appointment|surgery|embassy|consulate|new job|' +
  '(?:one|1|two|2|last) (?:\\w+ )?left|running out|run out|ran out|(?:need|needs|needed) (?:it|them|this|these|those) ' +
  '(?:by|before|urgently|today|tomorrow|tonight))';
const NOT_PRESSING = '\\b(?:not urgent|no rush|no hurry|nothing urgent|not in a hurry|no pressure|whenever)\\b';

const RULES: PatternRule[] = [
  // ---- fraud / security --------------------------------------------------------------------------------------
  rule('fraud.en.keyword', 'intent', 'fraud',
    '\\b(?:fraud|frauds|fraudulent|fraudulently|fraudster|fraudsters|scam|scams|scammed|scammer|scammers|' +
    'scamming|phishing|phished|identity theft|id theft|identity fraud|stolen identity|con artist|swindled|swindle|conned)\\b', 0.92),
  rule('fraud.en.unauthorised', 'intent', 'fraud',
    '\\b(?:unauthori[sz]ed|not authori[sz]ed by me|never authori[sz]ed|did not authori[sz]e|without (?:my |me )?(?:permission|authori[sz]ation|consent|knowledge|approval|knowing)|without me (?:knowing|being aware|aware))\\b', 0.9, { negatable: false }),
  rule('fraud.en.hacked', 'intent', 'fraud',
    '\\b(?:hacked|hacker|hackers|hacking|hack into|compromised|security breach|data breach|breached|account takeover|' +
    'someone (?:else )?(?:logged|logging|has logged|has access|had access|accessed|gained access|got access|got into|is in|broke into))\\b', 0.88),
  rule('fraud.en.stolen', 'intent', 'fraud',
    '\\b(?:stolen|stole|steal|stealing|theft|thief|thieves|robbed|robbery|mugged|mugging|pickpocket|pickpocketed|burgled|burglary|nicked|pinched)\\b', 0.88,
    { unless: `\\bsteal of a deal\\b|\\bwhat a steal\\b|${REPLACEMENT_TIMING}` }),
  rule('fraud.en.lost-item', 'intent', 'fraud',
    `\\b(?:lost|lose|losing|misplaced|misplace|can not find|could not find|can not locate|cannot find|left|forgot|forgotten|lost track of|no longer have|report|reported|reporting) (?:my |the |our |all my |both my |a |an )?(?:\\w+ ){0,3}(?:as )?${THINGS}\\b(?! (?:number|tracking|password|code|statement|receipt|limit|balance|fee|pin)\\b)`, 0.82,
    { unless: `\\b(?:pin|password|passcode|code) (?:is |was )?(?:blocked|forgotten)\\b|\\bforgot (?:my |the )?(?:pin|password|passcode)\\b|\\bleft (?:my |the )?(?:card|phone) (?:at home|in the car)\\b|${NOT_LOST}` }),
  rule('fraud.en.item-gone', 'intent', 'fraud',
    `\\b${THINGS} (?:\\w+ ){0,2}(?:is|was|were|are|has been|have been|got|went|been|is now|seems) (?:\\w+ )?(?:lost|missing|stolen|gone|taken|nicked|pinched|misplaced)\\b|\\b(?:lost|stolen|missing) (?:\\w+ ){0,3}(?:card|cards|wallet|phone|purse)\\b|\\breport(?:ed|ing)? (?:\\w+ ){0,4}(?:lost|stolen|missing)\\b|\\b(?:phone|card|wallet) (?:was|is|got) left (?:behind|at|in|on)\\b`, 0.8, { unless: NOT_LOST }),
  rule('fraud.en.where-is-item', 'intent', 'fraud',
    '\\b(?:where|find) (?:is )?my (?:phone|wallet|purse|card) (?:is|went|has gone)\\b|\\bdo not know where my (?:phone|wallet|purse|card)\\b|\\bnot sure where my (?:phone|wallet|card)\\b', 0.75, { negatable: false, unless: NOT_LOST }),
  rule('fraud.en.unrecognised-transaction', 'intent', 'fraud',
    `\\b(?:do not|did not|can not|could not|never|not|no longer|am not|unable to) (?:recogni[sz]e|recogni[sz]ing|remember|recall|know|familiar with|aware of|understand where) (?:(?:this|that|the|these|those|a|an|some|any|of|with|about|making|doing) )*(?:\\w+ ){0,2}${TX_WIDE}\\b`, 0.85, { negatable: false }),
  rule('fraud.en.unrecognised-after', 'intent', 'fraud',
    `\\b${TX} (?:\\w+ ){0,5}(?:i|we) (?:am|are|was|were)? ?(?:not|never) (?:familiar with|aware of|recogni[sz]ing)\\b|\\b${TX_WIDE} (?:\\w+ ){0,4}(?:i|we) (?:do not|did not|can not|could not) (?:recogni[sz]e|remember|recall|know)\\b|\\b${TX} (?:\\w+ ){0,6}(?:i|we) (?:have )?never (?:seen|heard of|submitted|made|done)\\b|\\b(?:where|how) (?:\\w+ ){0,4}${TX} (?:\\w+ ){0,4}(?:came|comes|come|coming|got) (?:from|on)\\b`, 0.8, { negatable: false }),
  rule('fraud.en.says-i-did', 'intent', 'fraud',
    `\\b(?:says|said|shows|showing|indicates|claims|saying) (?:that )?(?:i|we) (?:\\w+ ){1,8}(?:but|however|even though|though|yet|and) (?:i|we) (?:did not|never|have not|had not)\\b|\\b${TX} (?:\\w+ ){0,10}(?:but|however|even though|though) (?:i|we) (?:did not|never|have not)\\b|\\b(?:cash|money|funds) (?:\\w+ ){0,5}(?:i|we) (?:did not|never) (?:get|receive|put|deposit)\\b|\\b(?:money|cash|funds) (?:\\w+ ){0,3}(?:missing|taken|gone|disappeared|vanished|withdrawn) (?:from|out of)\\b|\\b(?:did not|never) (?:approve|authori[sz]e) of\\b`, 0.8, { negatable: false }),
  rule('fraud.en.what-is-this', 'intent', 'fraud',
    `\\bwhat (?:is|was|are) (?:this|that|these) (?:\\w+ ){0,2}${TX}\\b|\\bwhy is (?:this|that|there (?:a|an|this)) (?:\\w+ ){0,2}(?:payment|charge|direct debit|debit|withdrawal|transaction)\\b|\\b${TX} (?:\\w+ ){0,4}(?:should not|shouldnt) be there\\b`, 0.55, { negatable: false }),
  rule('fraud.en.not-made-by-me', 'intent', 'fraud',
    `\\b${TX} (?:\\w+ ){0,7}(?:i|we|me) (?:did not|never|have not|had not|do not|definitely did not|certainly did not|most certainly did not) (?:\\w+ )?(?:make|made|do|did|done|authori[sz]e|authori[sz]ed|approve|approved|request|requested|recogni[sz]e|remember|recall|set up|setup|set|create|created|initiate|initiated|purchase|purchased|buy|bought|spend|spent|take|took|withdraw|withdrew|sign up|signed up|agree|agreed|order|ordered|accept|place|placed|perform|carry out)\\b`, 0.88, { negatable: false }),
  rule('fraud.en.did-not-make-tx', 'intent', 'fraud',
    `\\b(?:i|we) (?:did not|never|have not|definitely did not|do not think i) (?:make|made|do|did|authori[sz]e|approve|request|set up|create|initiate|take out) (?:(?:this|that|these|those|the|a|an|any|some|this direct) )?(?:\\w+ )?${TX}\\b`, 0.88, { negatable: false }),
  rule('fraud.en.not-mine', 'intent', 'fraud',
    `\\b${TX} (?:\\w+ ){0,6}(?:not|never|isnt) (?:mine|me|by me|done by me|made by me|from me|my own|my doing)\\b|\\bnot (?:be )?(?:done|made|authori[sz]ed) by me\\b`, 0.85, { negatable: false }),
  rule('fraud.en.not-me', 'intent', 'fraud', '\\b(?:that|it|this) (?:was|is|wasnt) not me\\b', 0.45, { negatable: false }),
  rule('fraud.en.strange-transaction', 'intent', 'fraud',
    `\\b(?:unrecogni[sz]ed|unrecogni[sz]able|unfamiliar|unknown|strange|suspicious|suspect|weird|odd|unusual|random|questionable|fishy|mysterious|bogus|fake|false|illegitimate|dodgy|shady|unexplained|unidentified|mystery|not recogni[sz]ed|illegal) (?:\\w+ ){0,2}${TX_WIDE}\\b|\\b${TX} (?:\\w+ ){0,5}(?:looks|seems|looking|appears) (?:\\w+ )?(?:suspicious|fishy|strange|odd|wrong|weird|fraudulent|dodgy)\\b`, 0.8,
    { unless: '\\b(?:exchange rate|wrong amount|incorrect amount|charged twice|twice|double charged|duplicate|declined|pending|refund)\\b' }),
  rule('fraud.en.someone-used', 'intent', 'fraud',
    `\\b(?:someone|somebody|some one|a stranger|strangers|another person|other people|a third party|someone else|people|they|thieves|a thief) (?:\\w+ ){0,2}(?:use|used|uses|using|took|take|taken|has|had|have|got|get|stole|steal|made|making|charged|accessed|access|withdrew|withdrawn|withdrawing|copied|cloned|spent|spending|bought|buying|purchased|gained|hacked|know|knows|obtained|found|opened|applied|is using|has been using|took out) (?:\\w+ ){0,5}(?:my|our|me) (?:\\w+ ){0,2}(?:card|cards|account|accounts|details|info|information|number|numbers|money|identity|pin|password|phone|wallet|login|credentials|bank|credit|name|social security|ssn|data)\\b|\\b(?:used|being used|accessed|opened|made|done|ordered) by (?:someone|somebody|a stranger|another person|other people|someone else|somebody else)\\b|\\b(?:someone|somebody) (?:besides|other than|apart from|except) me\\b|\\bsomeone else (?:is )?us(?:ing|es)\\b|\\b(?:my )?card (?:data|details|info|information|number) (?:has been |have been |was |were )?(?:exposed|leaked|compromised)\\b|\\bsuspicious of my\\b`, 0.85),
  rule('fraud.en.cloned-card', 'intent', 'fraud',
    '\\b(?:copy|copied|clone|cloned|skimmed|skimming|skimmer|duplicate) (?:of )?(?:my )?(?:card|cards|card details)\\b|\\bcard (?:was |has been )?(?:cloned|copied|skimmed)\\b', 0.85),
  rule('fraud.en.dispute', 'intent', 'fraud',
    `\\b(?:dispute|disputing|contest|contesting|chargeback|charge back) (?:(?:a|this|that|the|these|those|an|some|one|my) )?(?:\\w+ ){0,2}(?:${TX}|it)\\b|\\bdispute\\b`, 0.6,
    { unless: '\\b(?:charged twice|twice|double|duplicate|refund status)\\b' }),
  rule('fraud.en.freeze', 'intent', 'fraud',
    '\\b(?:freeze|freezing|froze|frozen|unfreeze)\\b|\\b(?:put|place|putting|placing) (?:a |an )?(?:\\w+ )?(?:stop|hold|block|freeze|lock) on (?:\\w+ ){0,3}(?:card|account|accounts|bank|cards)\\b|\\b(?:block|lock|suspend|deactivate|disable|stop) (?:all )?(?:my|our) (?:\\w+ ){0,2}(?:card|cards|account|accounts)\\b|\\b(?:card|account) (?:must|to|should) be (?:frozen|blocked|locked|suspended)\\b|\\bstop (?:all )?payments? (?:from|on|out of) my\\b|\\bno (?:more )?payments? (?:on|from) my\\b|\\bpause my banking\\b|\\b(?:block|stop|hold|halt|hault|freeze|pause|lock|suspend) (?:\\w+ ){0,2}(?:put|placed|added|place|add)? ?(?:on|to) (?:my|the|our) (?:\\w+ ){0,3}(?:account|card)\\b|\\b(?:account|card) (?:\\w+ )?(?:blocked|frozen|locked|suspended|on hold) (?:immediately|right away|now|asap|please)\\b|\\bwant (?:my|the) (?:\\w+ ){0,2}(?:account|card) (?:blocked|frozen|locked|suspended)\\b|\\b(?:block|pause|hold|halt|suspend) (?:\\w+ ){0,3}(?:my|the) (?:\\w+ ){0,3}(?:account|market|savings|checking)\\b|\\bstop (?:any |all )?(?:future |further )?(?:transactions|payments|activity|processing|charges) (?:on|from|to|through) (?:my|the)\\b|\\bcut off (?:the|my) card\\b', 0.7,
    { unless: '\\b(?:pin|passcode) (?:\\w+ )?(?:blocked|locked)\\b|\\bunfreeze\\b|\\bunblock\\b|\\bwhy (?:is|was|has) my (?:\\w+ )?(?:account|card)\\b' }),
  rule('fraud.en.identity', 'intent', 'fraud',
    '\\b(?:opened|open|set up|setup|applied|taken out|took out|created|registered|in) (?:\\w+ ){0,4}(?:in my name|using my name|with my (?:identity|name|details|social security number|ssn))\\b|\\b(?:my )?(?:identity|ssn|social security number|personal information|personal details|details) (?:\\w+ ){0,2}(?:stolen|compromised|leaked|used|misused|taken)\\b|\\bsomeone (?:is )?(?:pretending|impersonating|posing)\\b|\\bimpersonat\\w*', 0.85),
  rule('fraud.en.phishing', 'intent', 'fraud',
    '\\b(?:fake|suspicious|phishing|scam|dodgy|fraudulent|spoof|spoofed|bogus) (?:\\w+ )?(?:email|emails|e mail|text|texts|sms|call|calls|caller|website|site|link|message|messages|page|app|number)\\b|\\b(?:gave|given|give|told|shared|entered|typed) (?:\\w+ ){0,3}my (?:card number|card details|pin|password|passcode|security code|cvv|cvc|one time code|otp|verification code|login|bank details|account details|code)\\b|\\b(?:pretending|claiming|said|says|posing) (?:\\w+ ){0,2}(?:to be|they were|he was|she was|it was) (?:from )?(?:you|your|the bank|my bank)\\b', 0.75),

  // ---- bereavement -------------------------------------------------------------------------------------------
  rule('bereavement.en.passed-away', 'intent', 'bereavement',
    '\\b(?:passed away|passed on|has passed away|passing away|lost (?:his|her|their) (?:life|lives|battle|fight)|no longer with us|taken from us|laid to rest|past away)\\b', 0.93),
  rule('bereavement.en.kin-died', 'intent', 'bereavement',
    `\\b${KIN_S} (?:\\w+ ){0,3}(?:died|dies|is dead|was dead|are dead|has died|had died|just died|recently died|sadly died|was killed|got killed|were killed|has passed|had passed|just passed|recently passed|sadly passed|passed)\\b(?! (?:the|my|an?|his|her|their) (?:exam|test|course|driving))`, 0.93),
  rule('bereavement.en.death-of', 'intent', 'bereavement',
    `\\b(?:death|deaths|loss|losing|passing|funeral|burial|cremation|memorial|wake|estate|will|probate|belongings|life insurance) of (?:my|our) (?:late |beloved |dear |dearest )?(?:\\w+ )?${KIN_S}\\b|\\b(?:my|our) (?:late |beloved |dear )?${KIN_S} (?:death|deaths|passing|funeral|burial|estate|probate|ashes|grave|memorial|obituary|will|life insurance)\\b`, 0.94),
  rule('bereavement.en.lost-kin', 'intent', 'bereavement',
    `\\b(?:lost|losing|lose|buried|burying|bury|mourning|mourn|grieving|grieve) (?:my|our) (?:\\w+ )?${KIN}\\b(?!s? (?:card|phone|wallet|purse|bag|account|keys?|number|details|password|id|passport|ticket|tracking|luggage|parcel|package|order|login|email|car|dog|cat|job|address|pin)\\b)(?! to (?:a|an|the)\\b)`, 0.85),
  rule('bereavement.en.keyword', 'intent', 'bereavement',
    '\\b(?:bereavement|bereaved|deceased|decedent|decedents|probate|executor|executors|executrix|widow|widowed|widower|death certificate|certificate of death|next of kin|letters of administration|estate of (?:my|the late|our|the deceased)|(?:his|her|their|the|my|our) (?:late )?(?:\\w+s )?estate|estate (?:account|accounts|administrator|attorney|lawyer|executor|settlement|matters)|settle (?:the |his |her |my \\w+s )?estate|(?:sudden|tragic|recent|unexpected) (?:death|loss|passing)|death in (?:the|my|our) family|family (?:bereavement|death|loss)|since (?:he|she|they) (?:died|passed)|after (?:he|she|they) (?:died|passed))\\b', 0.93),
  rule('bereavement.en.late-kin', 'intent', 'bereavement',
    '\\b(?:my|our|the) late (?:husband|wife|father|mother|mom|mum|dad|son|daughter|partner|brother|sister|grandmother|grandfather|grandma|grandpa|parents|spouse|aunt|uncle)\\b', 0.95),
  rule('bereavement.en.funeral', 'intent', 'bereavement',
    '\\b(?:funeral|funerals|burial|cremation|memorial service|obituary|headstone|cemetery|coffin|casket|undertaker|funeral home|grieving|mourning)\\b', 0.8),
  rule('bereavement.en.their-death', 'intent', 'bereavement', '\\b(?:his|her|their) (?:death|passing)\\b', 0.55),
  rule('bereavement.en.he-died', 'intent', 'bereavement',
    '\\b(?:he|she|they|who) (?:\\w+ )?(?:died|has died|had died|is dead|was killed|passed)\\b(?! (?:the|my|an?|his|her|their) (?:exam|test|course))', 0.6),

  // ---- human request -----------------------------------------------------------------------------------------
  rule('human_request.en.speak-to', 'intent', 'human_request',
    `\\b(?:speak|speaking|talk|talking|chat|chatting|connect|connected|transfer|transferred|put me through|get through|reach|reaching|contact|contacting|call|calling|phone|ring|message|email|e mail|write|escalate|escalated|get in touch|in touch|touch|hand me over|pass me|redirect|forward me) (?:me )?(?:\\w+ ){0,2}(?:to|with|through to|in touch with|over to)? ?(?:a|an|the|some|your|one of your|any|real|actual|live|proper)? ?(?:\\w+ )?${PERSON}\\b`, 0.9,
    { unless: `${HOURS_QUESTION}|\\b(?:do not|never|no) (?:want|need|wish) (?:to )?(?:speak|talk|chat)`, negatable: false }),
  rule('human_request.en.want-human', 'intent', 'human_request',
    `\\b${WANT} (?:\\w+ ){0,3}(?:a |an |to a |to an |with a |with an )?(?:real |actual |live |proper )?(?:human|humans|human being|person|agent|operator|representative|rep|live agent|real person|somebody real|someone real|customer service|customer support|customer care|manager|supervisor)\\b`, 0.8,
    { unless: HOURS_QUESTION }),
  rule('human_request.en.one-word', 'intent', 'human_request',
    `^ (?:(?:a|an|the|talk to|speak to) )?(?:human|agent|representative|operator|real person|live agent|person|customer service|support|manager|supervisor|someone)(?: please| pls| now| !| \\.)* $`, 0.9),
  rule('human_request.en.not-a-bot', 'intent', 'human_request',
    '\\b(?:not|stop|no more|done) (?:\\w+ )?(?:talking|chatting|speaking) (?:to|with) (?:a |this |the |you |your )?(?:stupid |useless |dumb )?(?:bot|robot|machine|computer|chatbot|ai)\\b|\\b(?:is there|are there|is this|am i (?:talking|speaking|chatting) (?:to|with)) (?:a |an )?(?:real )?(?:human|person)\\b', 0.8, { negatable: false }),

  // ---- urgency ------------------------------------------------------------------------------------------------
  rule('urgent.en.keyword', 'intent', 'urgent',
    '\\b(?:urgent|urgently|urgency|emergency|emergencies|asap|immediately|immediate|right now|right away|straight away|at once|as soon as possible|time sensitive|time critical|without delay|this instant|straightaway)\\b', 0.85),
  rule('urgent.en.stranded', 'intent', 'urgent',
    '\\b(?:atm|cash machine|bank machine|cashpoint|machine) (?:\\w+ ){0,3}(?:ate|eaten|eats|swallowed|swallow|kept|keeps|took|taken|retained|grabbed|stuck|trapped|would not (?:give|return)|will not (?:give|return)|did not (?:give|return)|refused)\\b|\\b(?:card|it) (?:\\w+ ){0,3}(?:stuck|trapped|swallowed|eaten|jammed) (?:in|inside|by)\\b|\\b(?:stranded|stuck abroad|stuck at the airport|locked out|no way to pay|no money at all)\\b', 0.7),
  rule('urgent.en.luggage', 'intent', 'urgent',
    '\\b(?:luggage|baggage|suitcase|suitcases|bags) (?:\\w+ ){0,4}(?:lost|missing|not arrive|did not arrive|did not make it|not here|never arrived|gone|is not|are not|was not)\\b|\\b(?:lost|missing|find|locate|locating|where is|where are) (?:my |our )?(?:\\w+ )?(?:luggage|baggage|suitcase|suitcases|bags)\\b|\\bmy bags (?:are not|did not)\\b', 0.7),
  rule('urgent.en.now', 'intent', 'urgent', '\\b(?:now|today|quickly|fast|hurry) !', 0.55),
  // Two rules rather than one, item or housing date first then the time: each stays small enough for the ReDoS checker to
  // decide (tests/security/redos.test.ts); the time-first order was too large for it and is left to the dialogs' date check.
  rule('urgent.en.deadline', 'intent', 'urgent', `\\b${ESSENTIAL} +(?:[^ ]+ +){0,10}${NEEDED_WHEN}\\b`, 0.75, { negatable: false, unless: NOT_PRESSING }),
  rule('urgent.en.deadline-housing', 'intent', 'urgent', `\\b${HOUSING} +(?:[^ ]+ +){0,10}${NEEDED_WHEN}\\b`, 0.75, { negatable: false, unless: NOT_PRESSING }),

  // ---- complaint ----------------------------------------------------------------------------------------------
  rule('complaint.en.file', 'intent', 'complaint',
    '\\b(?:complaint|complaints|complain|complaining|complained|reclamation|reclamations|reclamaion|grievance|grievances|formal claim|consumer claim|customer claim)\\b|\\b(?:file|filing|lodge|lodging|make|making|submit|raise|register|open|put in|write|send|issue|fill|report) (?:\\w+ ){0,3}claims?\\b', 0.85),
  rule('complaint.en.dissatisfied', 'intent', 'complaint',
    '\\b(?:unacceptable|disgraceful|disgrace|outrageous|appalling|pathetic|incompetent|incompetence|unprofessional|rip off|ripoff|ripped off|shoddy|sloppy|fed up|had enough|enough is enough|never again|waste of (?:my )?time|worst (?:service|company|experience|bank|customer service|support)|terrible (?:service|experience|support)|awful (?:service|experience)|horrible (?:service|experience)|poor service|bad service|bad experience|lousy|shame on you|how dare you|sort it out|sort this out|i demand|not good enough|still waiting|still have not|still not|still no|still nothing|no one (?:answers|replies|responds|helps|cares|has)|nobody (?:answers|replies|responds|helps|cares|has)|no (?:response|reply|answer)|(?:second|third|fourth|fifth|2nd|3rd|4th|5th|umpteenth) time|how many times|again and again|over and over|for (?:weeks|months|ages)|(?:waiting|waited) (?:\\w+ ){0,3}(?:weeks|months|ages|forever|days)|this is (?:ridiculous|a joke|insane|absurd|crazy)|what a joke|are you (?:kidding|serious|joking)|you people|your (?:company|service|bank|staff|app) (?:is|are|sucks)|(?:refund|money back) (?:now|immediately))\\b', 0.7),
  // Being wronged by a company, as customers describe it in writing: refusals, errors never corrected, fees and
  // collection attempts that go on, no explanation, pressure.
  rule('complaint.en.grievance', 'intent', 'complaint',
    '\\b(?:they|he|she|the (?:company|bank|lender|servicer|agent|representative|rep|collector|store|seller|dealer)|it) (?:\\w+ ){0,2}(?:refused|refuses|refusing|failed|fails|keeps?|kept|continued?|continues) (?:\\w+ ){0,2}(?:to )?(?:\\w+ )?(?:fix|correct|remove|refund|respond|reply|help|collect|charge|report|call|send|honou?r|explain|resolve|acknowledge)|\\b(?:incorrectly|wrongly|falsely|inaccurately|unfairly|illegally|improperly|wrongfully) (?:\\w+ ){0,2}(?:reported|reporting|reports|charged|charging|billed|closed|denied|applied|listed|posted|collected)|\\b(?:i|we) (?:have )?(?:disputed|dispute|filed a dispute|contested)\\b|\\bnever (?:received|got|had) (?:a |any )?(?:response|reply|answer|call ?back|explanation|refund|resolution)|\\b(?:with )?no (?:explanation|reason|notice|warning) (?:given|provided|whatsoever)?|\\b(?:still|continues? to|keeps?) (?:trying to )?(?:collect|charge|charging|report|reporting|bill|billing|calling|harass)|\\b(?:harass|harassed|harassing|harassment|threatened|threatening|misled|misleading|deceptive|predatory|lied to (?:me|us))\\b|\\b(?:has|have|was|were) (?:still )?not been (?:removed|corrected|fixed|resolved|refunded|credited|reversed)|\\bno idea (?:what|of what) they are doing\\b', 0.6),
  rule('complaint.en.broken', 'intent', 'complaint',
    '\\b(?:damaged|broken|smashed|crushed|defective|faulty|wrong item|wrong order|wrong product|arrived (?:damaged|broken|late|open)|not as described|not what i ordered|missing items?|never (?:arrived|received|came|delivered))\\b', 0.6),

  // ---- distress (hardship, illness, fear, crisis) -------------------------------------------------------------
  rule('distress.en.hardship', 'intent', 'distress',
    '\\b(?:can not|could not|unable to|struggling to|struggle to|not able to|can barely|cannot) (?:afford|pay|make|feed|keep up|buy) (?:\\w+ ){0,3}(?:rent|bills?|mortgage|food|groceries|repayments|ends meet|loan|my family|my kids|medicine|heating|electricity)\\b|\\b(?:can not|could not|unable to|can barely) afford\\b(?! to (?:wait|lose|be))|\\b(?:lost|losing|lose) (?:my|our) (?:job|jobs|income|home|house|business|livelihood)\\b|\\b(?:unemployed|jobless|laid off|made redundant|redundancy|furloughed|bankrupt|bankruptcy|insolvent|insolvency|evicted|eviction|homeless|foreclosure|repossessed|repossession|hardship|in debt|drowning in debt|debt collectors?|behind on (?:my )?(?:rent|payments|bills|mortgage)|financial (?:difficulty|difficulties|trouble|troubles|problems|hardship|crisis|struggle|struggles)|(?:money|cash) (?:problems|troubles|worries)|(?:i am|we are|completely|flat|totally|so|dead) broke|no money (?:left|at all)|benefits (?:stopped|cut)|food bank|penniless)\\b', 0.8),
  rule('distress.en.illness', 'intent', 'distress',
    '\\b(?:cancer|chemo|chemotherapy|radiotherapy|hospital|hospitali[sz]ed|hospice|intensive care|icu|surgery|terminal illness|terminally|seriously ill|very ill|critically ill|diagnosed with|disabled|disability|dementia|alzheimers?|stroke|heart attack|disease|mental health|breakdown|chronic|illness|ill|sick|injured|injury|accident|carer|caring for|pregnant|pregnancy|miscarriage|ambulance|a&e|emergency room|er)\\b', 0.7,
    { unless: '\\bsick (?:of|and tired)\\b|\\b(?:car|card|phone|bike|fender) accident\\b' }),
  rule('distress.en.crisis', 'intent', 'distress',
    '\\b(?:suicide|suicidal|kill myself|killing myself|end my life|end it all|take my (?:own )?life|want to die|wanna die|better off dead|self harm|harm myself|hurt myself|domestic (?:violence|abuse)|abused|abusive|being abused|abuse|assaulted|attacked|raped|stalked|stalking|stalker|threatened|threatening me|blackmail|blackmailed|coercion|coerced|controlling partner|i am not safe|not safe at home|no one to turn to|nowhere to go|nowhere to turn)\\b', 0.95),
  rule('distress.en.cope', 'intent', 'distress',
    '\\b(?:can not cope|could not cope|can not take (?:it|this) anymore|at (?:my|the) wits end|end of my rope|end of my tether|falling apart|breaking down|in tears|crying|can not stop crying|beside myself|worried sick|scared to death|terrified|panicking|panic attack|desperate|desperately|helpless|hopeless|losing my mind|my life is over|ruined my life|devastated|heartbroken)\\b', 0.75),
];

/** Words that mean "very" (multipliers above 1) or "a little" (below 1) for the next emotion word. */
const INTENSIFIERS: Record<string, number> = {
  very: 1.4, so: 1.35, really: 1.35, extremely: 1.6, incredibly: 1.5, absolutely: 1.5, totally: 1.4, completely: 1.4,
  utterly: 1.5, truly: 1.3, super: 1.3, seriously: 1.3, deeply: 1.4, terribly: 1.4, awfully: 1.3, too: 1.2,
  fucking: 1.5, bloody: 1.4, damn: 1.3, freaking: 1.4, highly: 1.3, beyond: 1.4, most: 1.2, such: 1.2, quite: 1.1,
  slightly: 0.6, somewhat: 0.7, bit: 0.6, little: 0.7, kinda: 0.7, kind: 0.8, sort: 0.8, abit: 0.6, mildly: 0.6,
  barely: 0.5, hardly: 0.5, fairly: 0.8,
};

const NEGATORS = [
  'not', 'no', 'never', 'nothing', 'nobody', 'none', 'neither', 'nor', 'without', 'hardly', 'isnt', 'wasnt', 'nt',
  'dont', 'didnt', 'cant', 'aint', 'nope', 'nah',
];

const SCOPE_BREAKERS = [
  'but', 'if', 'whether', 'because', 'since', 'so', 'and', 'though', 'although', 'however', 'why', 'how', 'what',
  'who', 'believe', 'sure', 'know', 'understand', 'realise', 'realize', 'wait', 'until', 'yet', 'idea',
  'tell', 'explain', 'care', 'only', 'just', 'mean', 'see', 'says', 'said', 'clue',
];

const REPLACEMENTS: Record<string, string> = {
  // contractions (apostrophes are already removed: "didn't" -> "didnt")
  didnt: 'did not', dont: 'do not', doesnt: 'does not', cant: 'can not', cannot: 'can not', couldnt: 'could not',
  wont: 'will not', wouldnt: 'would not', shouldnt: 'should not', isnt: 'is not', arent: 'are not', wasnt: 'was not',
  werent: 'were not', havent: 'have not', hasnt: 'has not', hadnt: 'had not', aint: 'is not', im: 'i am', ive: 'i have',
  "i'll": 'i will', "i'd": 'i would', "we'll": 'we will', "you'll": 'you will', "it's": 'it is', "we're": 'we are',
  "he'll": 'he will', "she'll": 'she will', "they'll": 'they will', youre: 'you are', youve: 'you have', theyre: 'they are', thats: 'that is', theres: 'there is',
  whats: 'what is', wheres: 'where is', hows: 'how is', whos: 'who is', its: 'it is', itll: 'it will', lets: 'let us',
  heres: 'here is', shes: 'she is', hes: 'he is', weve: 'we have', gotta: 'got to', wanna: 'want to',
  gonna: 'going to', dunno: 'do not know', idk: 'i do not know', dnt: 'do not', didn: 'did not', don: 'do not',
  // SMS and informal spellings
  u: 'you', ur: 'your', r: 'are', pls: 'please', plz: 'please', plez: 'please', pleas: 'please', plss: 'please',
  thx: 'thanks', thnx: 'thanks', thanx: 'thanks', ty: 'thanks', tks: 'thanks', tysm: 'thanks so much',
  bc: 'because', cuz: 'because', coz: 'because', cos: 'because', b4: 'before', '2day': 'today', tmrw: 'tomorrow',
  ppl: 'people', msg: 'message', acct: 'account', acc: 'account', txn: 'transaction', tx: 'transaction',
  w: 'with', wo: 'without', pic: 'picture', rn: 'right now', ya: 'you', yr: 'your', b: 'be', n: 'and', y: 'why',
  smth: 'something', sth: 'something', sb: 'somebody', sm1: 'someone', some1: 'someone', no1: 'no one', any1: 'anyone',
  // common typos seen in customer messages
  recieve: 'receive', recieved: 'received', fradulent: 'fraudulent', fraudlent: 'fraudulent', fraudulant: 'fraudulent',
  frudulent: 'fraudulent', fraudalent: 'fraudulent', furaud: 'fraud', frawd: 'fraud', stollen: 'stolen', stolan: 'stolen',
  unathorized: 'unauthorized', unauthorised: 'unauthorised', unautorized: 'unauthorized', unauthroized: 'unauthorized',
  custmer: 'customer', cutomer: 'customer', costumer: 'customer', cusotmer: 'customer', customr: 'customer',
  agnet: 'agent', agen: 'agent', representitive: 'representative', represenative: 'representative',
  speek: 'speak', tlak: 'talk', somone: 'someone', someome: 'someone', soemone: 'someone', sombody: 'somebody',
  trasaction: 'transaction', transcation: 'transaction', transction: 'transaction', tranaction: 'transaction',
  transactoin: 'transaction', paymnet: 'payment', payement: 'payment', pymt: 'payment', withdrawl: 'withdrawal',
  withdrawel: 'withdrawal', withdrawls: 'withdrawals', scamed: 'scammed', acount: 'account', accont: 'account',
  accout: 'account', conttact: 'contact', contcat: 'contact', contatc: 'contact', assistnace: 'assistance',
  complant: 'complaint', complaiint: 'complaint', compliant: 'complaint', recognise: 'recognise', reconize: 'recognize',
  recongnize: 'recognize', recgonize: 'recognize', regognize: 'recognize', recogize: 'recognize', passd: 'passed',
  funral: 'funeral', deceasd: 'deceased', humam: 'human', hman: 'human', persn: 'person', immediatly: 'immediately',
  immediatley: 'immediately', urgant: 'urgent', emergancy: 'emergency', wallett: 'wallet', phne: 'phone',
  hav: 'have', wat: 'what', wht: 'what', whr: 'where', becuase: 'because', becasue: 'because', teh: 'the',
};

/** Emotion lexicons: single normalised tokens. Emoji are kept as written. */
const EMOTIONS: Record<string, Record<string, number>> = {
  anger: {
    angry: 0.8, angrier: 0.8, anger: 0.7, angered: 0.8, furious: 0.9, livid: 0.9, rage: 0.8, raging: 0.8, enraged: 0.9,
    mad: 0.5, pissed: 0.8, outraged: 0.85, outrageous: 0.7, outrage: 0.7, hate: 0.7, hated: 0.6, hates: 0.6,
    hating: 0.6, hateful: 0.7, disgusting: 0.7, disgusted: 0.75, disgrace: 0.7, disgraceful: 0.8, appalling: 0.7,
    appalled: 0.7, unacceptable: 0.7, ridiculous: 0.6, absurd: 0.5, pathetic: 0.7, idiot: 0.8, idiots: 0.8, idiotic: 0.8,
    stupid: 0.6, stupidity: 0.6, dumb: 0.55, dumbest: 0.6, moron: 0.8, morons: 0.8, moronic: 0.8, jerk: 0.6, jerks: 0.6,
    asshole: 0.9, assholes: 0.9, bastard: 0.8, bastards: 0.8, fuck: 0.8, fucking: 0.7, fucked: 0.7, fuckin: 0.7,
    fck: 0.7, fk: 0.6, fucks: 0.7, fuckers: 0.9, motherfucker: 0.9, wtf: 0.7, shit: 0.5, shitty: 0.7, bullshit: 0.8,
    crap: 0.5, crappy: 0.6, damn: 0.4, dammit: 0.6, damnit: 0.6, goddamn: 0.6, goddamned: 0.6, hell: 0.3, scum: 0.8,
    liar: 0.7, liars: 0.7, lying: 0.5, lies: 0.5, cheat: 0.6, cheated: 0.6, cheating: 0.5, incompetent: 0.7,
    useless: 0.6, worst: 0.6, terrible: 0.45, awful: 0.45, horrible: 0.45, horrendous: 0.6, sucks: 0.6, suck: 0.5,
    sucked: 0.5, screw: 0.5, screwed: 0.6, trash: 0.6, garbage: 0.6, rubbish: 0.5, clown: 0.5, clowns: 0.6,
    hypocrite: 0.7, hypocrites: 0.7, hypocritical: 0.6, shameful: 0.7, shame: 0.4, nonsense: 0.5, insane: 0.4,
    ignorant: 0.6, racist: 0.6, racists: 0.6, disrespectful: 0.7, rude: 0.65, cunt: 0.9, dick: 0.6, dickhead: 0.8,
    prick: 0.7, douche: 0.7, douchebag: 0.8, bitch: 0.7, shut: 0.35, toxic: 0.5, annoying: 0.5, hostile: 0.6,
    infuriating: 0.9, infuriated: 0.9, fuming: 0.9, seething: 0.9, irate: 0.9, bs: 0.6, stfu: 0.9, gtfo: 0.8,
    ffs: 0.7, smh: 0.4, offended: 0.6, offensive: 0.55, dumbass: 0.85, dumbasses: 0.85, shithole: 0.8,
    fucken: 0.7, asses: 0.5, ass: 0.45, damned: 0.5, cruel: 0.55, loony: 0.5, filth: 0.7, filthy: 0.6, crazy: 0.35,
    aggressive: 0.45, aggressively: 0.45, ignorance: 0.5, extremist: 0.35, threaten: 0.5, headache: 0.4, yell: 0.4,
    yelling: 0.5, screaming: 0.5, mocking: 0.5, loser: 0.6, losers: 0.6, triggered: 0.5, nazi: 0.5, shameless: 0.5,
    lazy: 0.45, greedy: 0.5, selfish: 0.55, arrogant: 0.6, entitled: 0.45, condescending: 0.6, bitter: 0.4,
    hypocrisy: 0.6, corrupt: 0.5, corruption: 0.5, disgust: 0.7, smug: 0.5, evil: 0.5, troll: 0.5, trolls: 0.5,
    whiny: 0.5, whining: 0.5, childish: 0.55, immature: 0.5, annoy: 0.6, insult: 0.6, insulting: 0.65,
    insulted: 0.6, nasty: 0.5, freaking: 0.35, frickin: 0.4, stop: 0.2, wrong: 0.2, idiocy: 0.7,
    '😡': 0.9, '🤬': 0.95, '😠': 0.8, '💢': 0.7, '🖕': 0.9, '👿': 0.7,
  },
  frustration: {
    frustrated: 0.8, frustrating: 0.7, frustration: 0.7, annoyed: 0.7, annoying: 0.65, annoyance: 0.6, annoys: 0.6,
    irritated: 0.7, irritating: 0.7, irritates: 0.6, ugh: 0.6, ughh: 0.6, argh: 0.7, arg: 0.5, grr: 0.7, grrr: 0.7,
    sigh: 0.4, smh: 0.5, ffs: 0.6, hassle: 0.5, nightmare: 0.5, disappointed: 0.7, disappointing: 0.65,
    disappointment: 0.6, dissatisfied: 0.7, unhappy: 0.5, upset: 0.6, upsetting: 0.6, useless: 0.5, ridiculous: 0.5,
    waste: 0.45, wasted: 0.45, pointless: 0.5, hopeless: 0.3, tired: 0.3, exhausting: 0.5, tedious: 0.5, seriously: 0.3,
    again: 0.15, still: 0.15, unbelievable: 0.5, incredible: 0.1, fed: 0.3, bothered: 0.4, bothering: 0.5,
    confusing: 0.4, confused: 0.35, stuck: 0.35, wrong: 0.3, failed: 0.35, fails: 0.35, failing: 0.35, broken: 0.4,
    delay: 0.3, delayed: 0.4, late: 0.2, lousy: 0.6, mess: 0.5, messed: 0.5, joke: 0.3, meh: 0.3, whatever: 0.35,
    weird: 0.2, worse: 0.5, bad: 0.35, poor: 0.3, mediocre: 0.5, boring: 0.35, lame: 0.5, cringe: 0.5, cringy: 0.5,
    '🙄': 0.6, '😤': 0.75, '😒': 0.5, '😑': 0.45, '😩': 0.6, '😫': 0.6, '🤦': 0.6, '🙃': 0.35,
  },
  distress: {
    scared: 0.7, scary: 0.6, scare: 0.5, scares: 0.6, scaring: 0.6, afraid: 0.6, fear: 0.6, fears: 0.6, feared: 0.55,
    fearful: 0.7, frightened: 0.75, frightening: 0.7, terrified: 0.85, terrifying: 0.7, terrify: 0.65, terrifies: 0.7,
    terror: 0.65, horrified: 0.65, horrifying: 0.65, horrific: 0.6, petrified: 0.8, panic: 0.7, panicking: 0.8,
    panicked: 0.7, anxious: 0.7, anxiety: 0.7, nervous: 0.6, nervously: 0.6, nervousness: 0.6, nerves: 0.45,
    worried: 0.45, worry: 0.4, worrying: 0.45, worries: 0.4, worrisome: 0.5, uneasy: 0.5, stressed: 0.55, stress: 0.45,
    stressful: 0.5, distressed: 0.8, distressing: 0.7, distress: 0.7, desperate: 0.7, helpless: 0.7, hopeless: 0.65,
    sad: 0.6, sadly: 0.5, sadness: 0.6, saddening: 0.6, saddened: 0.65, saddest: 0.65, sadder: 0.6, depressing: 0.6,
    depressed: 0.7, depression: 0.6, miserable: 0.6, heartbroken: 0.8, heartbreaking: 0.7, heartbreak: 0.7,
    devastated: 0.8, devastating: 0.65, tragic: 0.6, tragedy: 0.6, crying: 0.6, cry: 0.5, cried: 0.55, cries: 0.5,
    tears: 0.5, sobbing: 0.7, lonely: 0.6, loneliness: 0.6, grief: 0.6, grieving: 0.7, mourning: 0.6, painful: 0.5,
    pain: 0.4, hurts: 0.45, hurt: 0.4, hurting: 0.5, suffering: 0.6, suffer: 0.5, sorry: 0.4, unfortunately: 0.35,
    unfortunate: 0.4, miss: 0.45, missed: 0.15, missing: 0.15, yikes: 0.45, creepy: 0.55, creeps: 0.45, creep: 0.35, shivers: 0.5,
    nightmare: 0.45, nightmares: 0.55, dread: 0.6, dreading: 0.6, dreadful: 0.5, trembling: 0.55, shaking: 0.4,
    overwhelmed: 0.7, crisis: 0.5, poor: 0.3, died: 0.5, death: 0.45, dead: 0.35, dying: 0.4, die: 0.4, dies: 0.4,
    killed: 0.4, rip: 0.5, horrible: 0.35, terrible: 0.3, awful: 0.3, alone: 0.3, lost: 0.1, loss: 0.35, sick: 0.35,
    ill: 0.3, hospital: 0.4, cancer: 0.6, unsafe: 0.6, danger: 0.5, dangerous: 0.45, threatened: 0.6, threat: 0.4,
    vulnerable: 0.6, struggling: 0.55, struggle: 0.45, depressive: 0.6, suicidal: 0.9, suicide: 0.7,
    ashamed: 0.5, embarrassed: 0.35, guilty: 0.4, regret: 0.45, regrets: 0.45, sucks: 0.2, alas: 0.5, damn: 0.1,
    tired: 0.3, exhausted: 0.45, starving: 0.3, faint: 0.4, vomit: 0.3, vomiting: 0.35, choked: 0.4, harmed: 0.4,
    migraine: 0.4, migraines: 0.4, concussion: 0.4, concussions: 0.4, injury: 0.4, injured: 0.45, pouting: 0.4,
    terrors: 0.6, tough: 0.35, rough: 0.3, bad: 0.3, apologies: 0.2, cringe: 0.3, dreadfully: 0.5, homesick: 0.6,
    heartache: 0.7, grieve: 0.6, gone: 0.15, passed: 0.3, funeral: 0.5, illness: 0.5, disease: 0.4, fragile: 0.4,
    upset: 0.45, disappointed: 0.3, isolated: 0.5, abandoned: 0.5, rejected: 0.5, rejection: 0.5, trauma: 0.6,
    traumatic: 0.6, traumatized: 0.7, traumatised: 0.7, ptsd: 0.6, abuse: 0.5, abused: 0.6, bullied: 0.6,
    phobia: 0.5, horror: 0.5, spooky: 0.4, eerie: 0.4, hazard: 0.4, risky: 0.3, horribly: 0.35, pity: 0.45,
    unlucky: 0.4, hard: 0.15, worse: 0.25, worst: 0.2, freaked: 0.6, freaking: 0.2, shock: 0.45, shocked: 0.45,
    shocking: 0.4, disturbing: 0.55, disturbed: 0.5, haunting: 0.5, haunted: 0.45, insecure: 0.5, insecurity: 0.5,
    ':(': 0.5, ":'(": 0.7, '😢': 0.65, '😭': 0.65, '😞': 0.55, '😟': 0.55, '😨': 0.7, '😱': 0.6, '😰': 0.7, '💔': 0.65,
    '☹': 0.55, '😔': 0.55, '😥': 0.6, '😓': 0.5, '😿': 0.6, '🥺': 0.5, '😧': 0.5, '😦': 0.45,
  },
  grief: {
    grief: 0.8, grieving: 0.9, grieve: 0.8, mourning: 0.8, mourn: 0.8, bereaved: 0.9, bereavement: 0.9,
    condolences: 0.7, funeral: 0.8, deceased: 0.7, widow: 0.7, widowed: 0.8, widower: 0.8, rip: 0.5, heartbroken: 0.4,
    '💔': 0.3, '🕊': 0.5, '🕯': 0.4,
  },
  gratitude: {
    thanks: 0.7, thank: 0.7, thankyou: 0.7, thanked: 0.4, thankful: 0.8, grateful: 0.8, gratitude: 0.8,
    appreciate: 0.7, appreciated: 0.7, appreciates: 0.6, appreciation: 0.7, cheers: 0.4, kind: 0.3, kindly: 0.1,
    helpful: 0.5, lifesaver: 0.8, legend: 0.4, brilliant: 0.4, wonderful: 0.4, amazing: 0.35, awesome: 0.35,
    perfect: 0.35, great: 0.25, lovely: 0.4, excellent: 0.35, fantastic: 0.4, superb: 0.4, thx: 0.6,
    '🙏': 0.6, '❤': 0.3, '❤️': 0.3, '😊': 0.4, '🙂': 0.25, '👍': 0.3, '🥰': 0.5, '😍': 0.3,
  },
};

/** Emotion phrases (multi-word), as pattern rules. */
const EMOTION_RULES: PatternRule[] = [
  rule('frustration.en.fed-up', 'emotion', 'frustration',
    '\\b(?:fed up|sick of|sick and tired|tired of|had enough|enough is enough|at (?:my|the) wits end|over and over|again and again|how many times|yet again|once again|every single time|still (?:not|no|nothing|waiting|have not|has not|did not)|no (?:one|body) (?:answers|replies|helps|responds)|(?:second|third|fourth|fifth|2nd|3rd|4th|5th|umpteenth) time|waste of (?:my )?time|what a joke|this is a joke|are you kidding|are you serious|you have got to be kidding|for (?:weeks|months|ages))\\b', 0.65),
  rule('anger.en.phrases', 'emotion', 'anger',
    '\\b(?:what the (?:hell|heck|fuck|f)|how dare you|shame on you|screw you|piss off|pissed off|rip off|ripped off|get lost|go to hell|shut up|fed up with you|you people|you guys suck|f off|bloody hell|for fucks sake|for gods sake|for christs sake|for the love of god)\\b', 0.75),
  rule('distress.en.phrases', 'emotion', 'distress',
    '\\b(?:sorry for your loss|sorry to hear|so sorry|feel for you|breaks my heart|broke my heart|heart sank|my heart|makes me sad|scared (?:of|to|that)|afraid (?:of|to|that)|worried (?:about|that|sick)|freaking out|freaked out|losing my mind|lost (?:her|his|their|my) (?:baby|child|son|daughter|husband|wife|mother|father|mom|dad|life)|can not cope|in tears|panic attack|cold sweat|gives me (?:chills|the creeps)|sent shivers|too sad|so sad|very sad|feel (?:so )?(?:bad|terrible|awful|sad|alone|lost)|bad news|poor (?:guy|girl|thing|kid|lady|man|woman|baby|soul|dog|cat|kitty|boy|child|baby)|rest in peace|not okay|not ok)\\b', 0.6, { negatable: false }),
  rule('grief.en.phrases', 'emotion', 'grief',
    '\\b(?:passed away|lost (?:my|our) (?:\\w+ )?(?:mother|father|husband|wife|son|daughter|mom|dad|mum|brother|sister|baby|child|grandmother|grandfather|partner)|sorry for your loss|rest in peace|death of my|my late)\\b', 0.8),
  rule('gratitude.en.phrases', 'emotion', 'gratitude',
    '\\b(?:thank you|thanks a lot|thanks so much|many thanks|much appreciated|you are a star|you are the best|you have been (?:very |so |really )?helpful|that helps|that helped|big help)\\b', 0.75),
];

/** Positive words that turn into frustration when negated ("not happy", "not working"). */
const NEGATED_POSITIVES: Record<string, number> = {
  happy: 0.6, satisfied: 0.65, pleased: 0.6, impressed: 0.55, good: 0.4, great: 0.35, ok: 0.35, okay: 0.35,
  acceptable: 0.6, helpful: 0.5, helping: 0.45, working: 0.4, fair: 0.5, right: 0.3, fine: 0.3, professional: 0.5,
  amused: 0.5, funny: 0.4, fun: 0.3, useful: 0.45, reliable: 0.45, competent: 0.5, resolved: 0.45, fixed: 0.45,
  received: 0.35, arrived: 0.35, content: 0.5, nice: 0.35, easy: 0.3, clear: 0.3,
};

/** Customer-service words the AFINN list lacks or under-weights. */
const EXTRA_SENTIMENT: Record<string, number> = {
  unacceptable: -3, incompetent: -3, unprofessional: -3, scam: -3, scammed: -3, fraud: -3, fraudulent: -3,
  stolen: -3, hacked: -3, unauthorized: -2, unauthorised: -2, ripoff: -3, useless: -3, rude: -3, disgraceful: -4,
  appalling: -4, deceased: -3, funeral: -2, passed: 0, bereavement: -3, scared: -2, terrified: -3, desperate: -3,
  worried: -2, anxious: -2, late: -1, delayed: -1, damaged: -2, broken: -2, missing: -2, lost: -2, wrong: -2,
  refund: 0, frustrated: -2, frustrating: -2, annoyed: -2, disappointed: -2, disappointing: -2, wtf: -4,
  thanks: 2, thank: 2, grateful: 3, appreciate: 2, helpful: 2, died: -3, dead: -3, death: -2, cancer: -3,
  struggling: -2, broke: -2, evicted: -3, homeless: -3, hospital: -1, sick: -2, ill: -2,
};

const vocabulary = (): Record<string, number> => ({ ...(englishAfinn as Record<string, number>), ...EXTRA_SENTIMENT });

/** The built-in English language pack. */
export const englishPack: LanguagePack = {
  code: 'en',
  splitElisions: false,
  stopwords: [
    'the', 'a', 'an', 'is', 'are', 'was', 'were', 'i', 'you', 'my', 'to', 'of', 'and', 'in', 'it', 'for', 'not', 'on',
    'with', 'this', 'that', 'have', 'has', 'me', 'can', 'what', 'how', 'why', 'where', 'when', 'hello', 'hi', 'thanks',
    'please', 'do', 'did', 'does', 'be', 'been', 'from', 'at', 'your', 'we', 'they', 'he', 'she', 'there', 'just', 'want',
    'need', 'would', 'could', 'should', 'will', 'get', 'got', 'am', 'im', 'dont', 'yes', 'no', 'if', 'or', 'but', 'so',
    'some', 'any', 'help', 'account', 'order', 'payment', 'card', 'money', 'someone', 'thank', 'about', 'which', 'who',
    'know', 'still', 'since', 'again', 'here', 'all', 'by', 'very', 'really', 'u', 'pls', 'wtf', 'hey', 'human',
  ],
  replacements: REPLACEMENTS,
  negators: NEGATORS,
  scopeBreakers: SCOPE_BREAKERS,
  intensifiers: INTENSIFIERS,
  sentimentLabels: vocabulary(),
  emotionLexicons: EMOTIONS,
  negatedPositives: NEGATED_POSITIVES,
  rules: [...RULES, ...EMOTION_RULES],
  typoTargets: [
    'person', 'someone', 'somebody', 'human', 'agent', 'operator', 'representative', 'assistant', 'customer',
    'support', 'service', 'advisor', 'supervisor', 'manager', 'fraud', 'fraudulent', 'stolen', 'unauthorized',
    'unauthorised', 'recognize', 'recognise', 'transaction', 'transactions', 'payment', 'payments', 'withdrawal',
    'withdrawals', 'complaint', 'reclamation', 'deceased', 'funeral', 'emergency', 'urgent', 'urgently',
    'immediately', 'hacked', 'scammed', 'suspicious', 'wallet', 'withdraw', 'account', 'identity', 'bereavement',
    'passed', 'husband', 'mother', 'father', 'daughter', 'complain', 'terrible', 'horrible', 'frustrated',
    'disappointed', 'angry', 'furious', 'ridiculous', 'unacceptable', 'worried', 'scared', 'anxious', 'afraid',
    'terrified', 'desperate', 'phishing', 'compromised', 'probate', 'executor', 'speak', 'speaking', 'talking', 'chatting',
  ],
  neutralisers: [
    '\\bdying (?:to|for)\\b',
    '\\b(?:battery|batteries|phone|mobile|cell|cellphone|smartphone|laptop|computer|car|engine|truck|van|card|app|screen|tablet|device|charger|ipad|iphone|website|site|server|line|connection|wifi|internet|printer|tv|television|bulb|plant|plants|it|this thing) (?:\\w+ ){0,3}(?:died|dead|is dying|dies|has died|just died|went dead|is dead|passed out)\\b',
    '\\bdead (?:battery|batteries|phone|car|line|link|links|end|zone|tired|serious|wrong|easy|simple|slow|set|on|center|centre|weight|giveaway|heat|silence|ringer|air|space|pixel|pixels|cert|stock)\\b',
    '\\b(?:jump ?start|jumpstart|jump|boost) (?:\\w+ ){0,3}(?:car|battery|vehicle)\\b',
    '\\bkiller (?:deal|deals|app|price|prices|offer|offers|feature|features|combo|look|outfit|view|song|track)\\b',
    '\\breal estate\\b', '\\bestate agents?\\b', '\\bestate car\\b', '\\bhousing estate\\b',
    '\\b(?:dead|died|dying|die) (?:laughing|of laughter|of embarrassment|of boredom|of shame)\\b',
    '\\b(?:deadline|date|time|period|days|weeks|months|hours|it|offer|window|limit|due date) (?:has |have |had |is |was )?(?:already )?passed\\b',
    '\\bpassed (?:the|my|an|a|all|this|that|your) (?:\\w+ )?(?:exam|test|check|checks|verification|inspection|security|screening|interview|driving)\\b',
    '\\blate (?:fee|fees|payment|payments|charge|charges|delivery|deliveries|arrival|shipment|shipping|night|response|reply|again|today|afternoon|evening|morning)\\b',
    '\\b(?:to )?die for\\b', '\\bkill(?:ing|s|ed)? (?:me|time|it|the|a|an|this|that)\\b', '\\bkiller\\b',
    '\\b(?:lost|lose|misplaced|forgot|forgotten) (?:my |the )?(?:tracking|order|reference|confirmation|parcel|package|receipt|invoice|account|password|pin|code|passcode|login|username)(?: number| code| id| details)?\\b',
    '\\bsick (?:deal|trick|beat|track|move|moves|shot)\\b',
    '\\bscared (?:the )?(?:hell|crap|shit) out of\\b',
    '\\bfreeze (?:frame|dried|drying|dryer|time)\\b|\\bfreezing (?:cold|weather|out here)\\b|\\bfrozen (?:food|pipes|yogurt|pizza|meals)\\b',
    '\\bnail in the coffin\\b', '\\bwake up\\b',
    '\\bno worries\\b|\\bnot worried\\b|\\bdo not worry\\b|\\bnever mind\\b|\\bno problem\\b|\\bnot a problem\\b',
    // A declined card or payment is not fraud (the customer asks why, or how else to pay).
    '\\b(?:card|payment|payments|transaction|purchase|transfer) (?:\\w+ ){0,4}(?:declined|rejected|bounced)\\b',
  ],
};
