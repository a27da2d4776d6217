/**
 * French sentiment lexicon (AFINN-style valences, -5..5) for the `sentiment` package.
 *
 * Origin: written for Warmline by the project's engineers (no existing list was copied; there is no French AFINN in
 * `node_modules`). It targets customer-service messages: delivery, payment, account, fraud, complaints, thanks,
 * grief, fear and hardship, with the informal words customers type (`nul`, `galère`, `ras-le-bol`, `mdr`).
 * Licence: MIT, like the rest of Warmline.
 *
 * Format: each entry is `forms:valence`, the forms separated by `|` (inflections: masculine, feminine, plural,
 * common verb forms). Accented forms are written as French spells them; {@link frenchSentimentLabels} also holds
 * the accent-free form of every word, because customers often type without accents and the detector folds them.
 */
import { foldWord } from '../textNormaliser';

const SOURCE = `
content|contente|contents|contentes:2
satisfait|satisfaite|satisfaits|satisfaites|satisfaction:2
ravi|ravie|ravis|ravies:3
heureux|heureuse|heureuses:3
merci|remercie|remercions|remerciements:2
super:3
génial|géniale|géniaux|géniales:3
excellent|excellente|excellents|excellentes:3
parfait|parfaite|parfaits|parfaites|parfaitement:3
top:2
bravo|félicitations:3
formidable|formidables:3
magnifique|magnifiques:3
impeccable|impeccables:3
efficace|efficaces|efficacité:2
rapide|rapides|rapidement|rapidité:1
bien:1
bon|bonne|bons|bonnes:1
agréable|agréables:2
aimable|aimables|gentil|gentille|gentils|gentilles|gentillesse:2
sympa|sympathique:2
serviable|serviables:2
professionnel|professionnelle|professionnels|professionnelles:2
compétent|compétente|compétents|compétentes:2
utile|utiles:1
pratique|pratiques:1
fiable|fiables:2
facile|faciles|facilement:1
clair|claire|clairs|claires:1
reconnaissant|reconnaissante|reconnaissants|reconnaissantes|reconnaissance:3
apprécie|apprécié|appréciée|apprécions|appréciable:2
adore|adoré|adorée|adorable:3
aime|aimé|aimée:2
plaisir:2
enchanté|enchantée:2
soulagé|soulagée|soulagés|soulagement:2
rassuré|rassurée|rassurés|rassurant|rassurante:2
confiance:1
recommande|recommandé:2
cool:1
nickel:3
chouette:2
ok|okay|daccord:0
d'accord:0
mécontent|mécontente|mécontents|mécontentes|mécontentement:-3
insatisfait|insatisfaite|insatisfaits|insatisfaites|insatisfaction:-3
déçu|déçue|déçus|déçues|décevant|décevante|déception|décevoir:-2
fâché|fâchée|fâchés:-3
furieux|furieuse|furieuses:-4
énervé|énervée|énervés|énervant|énervante:-3
agacé|agacée|agaçant|agaçante|agacement:-2
irrité|irritée|irritant|irritante:-2
exaspéré|exaspérée|exaspérant|exaspérante:-3
excédé|excédée:-3
colère:-3
rage|enragé|enragée:-4
marre:-3
ras-le-bol|raslebol:-3
inadmissible|inadmissibles:-4
inacceptable|inacceptables:-4
scandaleux|scandaleuse|scandale:-4
honteux|honteuse|honte:-3
lamentable|lamentables:-4
pitoyable|pitoyables:-3
minable|minables:-3
nul|nulle|nuls|nulles|nullité:-3
incompétent|incompétente|incompétents|incompétentes|incompétence:-3
incapable|incapables:-3
inutile|inutiles:-2
mauvais|mauvaise|mauvaises:-2
horrible|horribles:-3
affreux|affreuse|affreuses:-3
terrible|terribles:-3
catastrophe|catastrophique|catastrophiques:-3
désastre|désastreux|désastreuse:-3
pire:-3
inadmissible:-4
abusé|abusif|abusive:-2
arnaque|arnaqué|arnaquée|arnaques|arnaqueur|arnaqueurs:-4
escroc|escrocs|escroquerie|escroqué|escroquée:-4
fraude|frauduleux|frauduleuse|fraudeur:-3
volé|volée|volés|volées|vol|voleur|voleurs:-3
piraté|piratée|piratage|pirate:-3
problème|problèmes|souci|soucis:-1
erreur|erreurs:-1
retard|retards|retardé|retardée:-2
attente:-1
perdu|perdue|perdus|perdues:-2
cassé|cassée|cassés|cassées:-2
abîmé|abîmée|abîmés|abîmées|endommagé|endommagée|endommagés:-2
défectueux|défectueuse:-2
manquant|manquante|manquants|manquantes:-2
jamais:-1
toujours pas:-1
lent|lente|lents|lentes|lenteur:-2
compliqué|compliquée|compliqués:-1
galère|galérer|galère:-2
bordel:-3
merde|merdique:-4
putain:-3
con|conne|connard|connards|connasse:-4
débile|débiles:-3
idiot|idiote|idiots:-3
stupide|stupides:-3
foutage|foutre|fout:-3
mensonge|mensonges|menteur|menteurs|mensongère|mensonger:-3
voleurs:-4
plainte|plaintes:-2
réclamation|réclamations:-1
litige:-2
triste|tristes|tristesse:-2
malheureux|malheureuse|malheureusement:-2
désolé|désolée|désolés:-1
peur|peurs:-2
effrayé|effrayée|effrayant|effrayante:-3
terrifié|terrifiée|terrifiant|terrifiante:-3
angoisse|angoissé|angoissée|angoissant|angoissante:-3
anxieux|anxieuse|anxiété:-2
inquiet|inquiète|inquiets|inquiétude|inquiétant|inquiétante:-2
stressé|stressée|stress|stressant|stressante:-2
paniqué|paniquée|panique:-3
désespéré|désespérée|désespoir:-3
détresse:-3
perdu:-2
pleure|pleurer|pleurs|larmes:-2
épuisé|épuisée:-2
malade|malades|maladie:-2
cancer:-3
hôpital|hospitalisé|hospitalisée:-2
décès|décédé|décédée|décédés:-3
mort|morte|morts|mortes:-3
deuil:-3
funérailles|obsèques|enterrement:-2
veuf|veuve:-2
condoléances:-1
chômage|licencié|licenciée|licenciement:-2
dettes|endetté|endettée|surendettement:-3
expulsé|expulsée|expulsion:-3
difficile|difficiles|difficulté|difficultés:-2
urgent|urgente|urgence:-1
grave:-2
danger|dangereux:-2
menacé|menacée|menace|menaces:-3
violence|violences|violent:-3
seul|seule:-1
dommage:-1
tant pis:-1
mdr|lol|ptdr:2
haha|hahaha:2
merci beaucoup:3
`;

/** The French valences, keyed by accented and accent-free forms. */
export const frenchSentimentLabels: Readonly<Record<string, number>> = (() => {
  const labels: Record<string, number> = {};
  for (const line of SOURCE.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed) continue;
    const colon = trimmed.lastIndexOf(':');
    const value = Number(trimmed.slice(colon + 1));
    for (const form of trimmed.slice(0, colon).split('|')) {
      const lower = form.toLowerCase();
      // Multi-word entries cannot be single tokens for the sentiment package; keep single words only.
      if (lower.includes(' ')) continue;
      labels[lower] = value;
      labels[foldWord(lower)] = value;
      if (lower.includes("'")) labels[lower.replace(/'/g, '')] = value;
    }
  }
  return Object.freeze(labels);
})();
