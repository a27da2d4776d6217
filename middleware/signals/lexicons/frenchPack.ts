/**
 * Built-in French language pack: intent rules, emotion lexicons, negation (`ne ... pas`, `pas du tout`),
 * intensifiers, elisions, SMS spellings (`jveux`, `chui`, `pk`, `svp`) and common typos.
 *
 * Written by the Warmline project (MIT licence). Patterns are accent-free because the normaliser folds accents
 * (`décédé` and `decede` read the same).
 */
import type { LanguagePack, PatternRule } from '../languagePack';
import { frenchSentimentLabels } from './frenchSentimentLexicon';

const KIN =
  '(?:mere|pere|mari|epoux|epouse|femme|conjoint|conjointe|compagnon|compagne|fils|fille|enfant|enfants|bebe|' +
  'frere|soeur|grand mere|grand pere|grands parents|grand parent|oncle|tante|cousin|cousine|neveu|niece|papa|maman|' +
  'parents|beau pere|belle mere|ami|amie|meilleur ami|meilleure amie|proche|copain|copine|fiance|fiancee|petit fils|' +
  'petite fille|papy|papi|mamie|mamy|pepe|meme|concubin|concubine)';
const THINGS =
  '(?:carte|cartes|portefeuille|porte monnaie|porte feuille|sac|sac a main|telephone|portable|mobile|iphone|' +
  'smartphone|cb|carte bancaire|carte bleue|carte de credit|carte visa|chequier|papiers|tel)';
const TX =
  '(?:paiement|paiements|prelevement|prelevements|debit|debits|transaction|transactions|operation|operations|achat|' +
  'achats|retrait|retraits|virement|virements|depense|depenses|montant|somme|sommes|facture|abonnement|commande|' +
  'commandes|payement|paiment)';
const PERSON =
  '(?:humain|humaine|humains|etre humain|personne|personnes|conseiller|conseillere|conseillers|conseilleres|agent|' +
  'agents|operateur|operatrice|operateurs|quelqu un|quelquun|qqn|responsable|superviseur|interlocuteur|' +
  'interlocutrice|employe|employee|service client|service clients|service clientele|sav|standard|telephoniste|' +
  'vendeur|vendeuse|manager|gerant|directeur|vrai quelqu un|vraie personne|vrai humain|vrai conseiller)';
const HOURS_QUESTION =
  '\\bhoraires?\\b|\\bheures? d ouverture\\b|\\ba quelle heure\\b|\\bquand (?:puis|peut|peux|est|etes|ouvre)\\b|\\bouvert le\\b|\\bjoignable quand\\b';

const rule = (
  id: string,
  kind: PatternRule['kind'],
  name: string,
  pattern: string,
  weight: number,
  extra: Partial<Pick<PatternRule, 'negatable' | 'unless'>> = {},
): PatternRule => ({ id, kind, name, pattern, weight, ...extra });

// Une échéance qui compte : quelque chose d'essentiel dans le colis ou le paiement (médicament, document, lait du bébé,
// un appareil dont le client ne peut se passer) ou une date de logement qui ne bouge pas, avec l'heure ou l'événement
// pour lequel il le faut, l'objet d'abord, le repère à dix mots au plus après (chaque départ lit dix mots au plus).
const ESSENTIAL =
  '(?:medicament|medicaments|medocs|medoc|traitement|ordonnance|insuline|inhalateur|ventoline|stylo d adrenaline|' +
  'adrenaline|antibiotiques|chimio|dialyse|poches|oxygene|extracteur d oxygene|lait infantile|lait maternel|' +
  'lait (?:de|pour) (?:mon |ma |le )?bebe|couches|tire lait|appareil auditif|appareils auditifs|prothese|' +
  'fauteuil roulant|attelle|bequilles|lunettes|lentilles|passeport|passeports|visa|documents|papiers|' +
  'certificat|certificat medical|acte de naissance|carte d identite|titre de sejour|permis de conduire|billets|' +
  'carte d embarquement|cles|robe de mariee|alliances|vaccins|attestation|attestation bancaire|gsm de service|' +
  'telephone de service|telephone pro)';
const HOUSING =
  '(?:expulsion|expulse|expulsee|avis d expulsion|saisie|huissier|coupure|coupe le courant|coupe l eau|coupent|' +
  'couper le courant|couper l eau|notaire|signature chez le notaire|compromis|etat des lieux|caution|loyer|' +
  'demenagement|demenageur|dossier de location|rends l appart|rendre l appart|rendre les cles|bail)';
const NEEDED_WHEN =
  '(?:aujourd hui|ce soir|cette nuit|demain|ce matin|cet aprem|cet apres midi|' +
  '(?:avant|d ici|pour|jusqu a|jusqu au) (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|midi|minuit|demain|' +
  'ce soir|le \\d{1,2}|\\d{1,2} ?h\\d*)|(?:avant|a) \\d{1,2} ?h\\d*|(?:dans|d ici) (?:une|un|1|2|3|deux|trois|\\d+) ' +
  '(?:heure|heures|h|minutes|min|jours)|(?:mon|le|un|notre|son) vol|avion|train|voyage|depart|je pars|il part|' +
  'elle part|part en|audience|tribunal|entretien|examen|concours|rendez vous|rdv|operation|mariage|ambassade|' +
  'consulat|classe verte|sortie scolaire|de garde|il (?:m|nous|lui) en reste|plus que \\w+|plus rien|' +
  'il me le faut|il me la faut|il me les faut|j en ai besoin|en a besoin|en ont besoin)';
const NOT_PRESSING = '\\b(?:pas urgent|rien d urgent|pas presse|pas pressee|rien ne presse|pas de rush|quand vous pouvez)\\b';

const RULES: PatternRule[] = [
  // ---- fraude / sécurité -------------------------------------------------------------------------------------
  rule('fraud.fr.keyword', 'intent', 'fraud',
    '\\b(?:fraude|fraudes|frauduleux|frauduleuse|frauduleuses|frauduleusement|fraudeur|fraudeurs|arnaque|arnaques|arnaquee|arnaquer|arnaqueur|arnaqueurs|arnak|escroc|escrocs|escroquerie|escroqueries|escroque|escroquee|hameconnage|phishing|usurpation|usurpe|usurpee|vol d identite|fraud|scam)\\b', 0.92),
  rule('fraud.fr.unauthorised', 'intent', 'fraud',
    '\\b(?:non autorise|non autorisee|non autorises|non autorisees|pas autorise|jamais autorise|sans (?:mon|ma|notre) (?:autorisation|accord|consentement|permission)|a mon insu|sans que je (?:le sache|sois au courant|sois prevenu|sois prevenue))\\b', 0.9, { negatable: false }),
  rule('fraud.fr.hacked', 'intent', 'fraud',
    '\\b(?:pirate|piratee|pirates|piratage|pirater|hacke|hackee|hacker|hacked|compromis|compromise|compromises|quelqu un (?:s est connecte|a acces|a eu acces|accede|se connecte|est entre) (?:a|sur|dans))\\b', 0.88,
    { unless: '\\bbateau pirate\\b' }),
  rule('fraud.fr.stolen', 'intent', 'fraud',
    '\\b(?:vole|volee|voles|volees|voleur|voleurs|voleuse|derobe|derobee|derobes|cambriole|cambriolee|cambriolage|agresse|agressee|agression|pickpocket|on m a vole|on m a pris|arrache|arrachee|vol (?:de|a l arrache|a la tire)|victime d un vol|victime de vol)\\b', 0.88,
    { unless: '\\bvol (?:de|d) (?:retour|nuit|ligne|correspondance)\\b' }),
  rule('fraud.fr.lost-item', 'intent', 'fraud',
    `\\b(?:perdu|perdue|egare|egaree|oublie|oubliee|paume|paumee) (?:\\w+ ){0,2}(?:ma|mon|mes|la|le|les|toutes mes) (?:\\w+ )?${THINGS}\\b(?! (?:de fidelite|cadeau)\\b)`, 0.82),
  rule('fraud.fr.cannot-find', 'intent', 'fraud',
    `\\b(?:ne (?:trouve|retrouve) plus|(?:trouve|retrouve) plus|impossible de (?:trouver|retrouver|remettre la main sur)|n ai plus|j ai plus|plus de) (?:ma|mon|mes|la|le|les) (?:\\w+ )?${THINGS}\\b`, 0.78, { negatable: false }),
  rule('fraud.fr.item-gone', 'intent', 'fraud',
    `\\b${THINGS} (?:\\w+ ){0,3}(?:vole|volee|voles|volees|perdu|perdue|perdus|perdues|disparu|disparue|disparus|pirate|piratee|clone|clonee|derobe|derobee|introuvable|introuvables)\\b`, 0.8),
  rule('fraud.fr.unrecognised-transaction', 'intent', 'fraud',
    `\\b(?:je )?(?:ne )?(?:reconnais pas|reconnait pas|connais pas|me souviens pas de|me rappelle pas de|ne suis pas a l origine de) (?:(?:ce|cette|ces|cet|le|la|les|l|un|une|des|de|d) )?(?:\\w+ ){0,2}${TX}\\b`, 0.85, { negatable: false }),
  rule('fraud.fr.not-made-by-me', 'intent', 'fraud',
    `\\b${TX} (?:\\w+ ){0,6}(?:je|j|nous) (?:n )?(?:ai |avons |aurais )?(?:jamais|pas|point|absolument pas) (?:\\w+ )?(?:fait|faits|faite|effectue|effectuee|effectues|autorise|autorisee|demande|demandee|valide|validee|reconnu|reconnais|commande|commandee|realise|realisee|passe|passee|souscrit|achete|retire|signe|donne|approuve)\\b`, 0.88, { negatable: false }),
  rule('fraud.fr.did-not-make-tx', 'intent', 'fraud',
    `\\b(?:je|j) (?:n )?(?:ai )?(?:jamais|pas) (?:fait|effectue|autorise|commande|achete|retire|valide|demande|realise|souscrit) (?:(?:ce|cette|ces|cet|de|d|un|une|le|la|les|aucun|aucune) )?(?:\\w+ )?${TX}\\b`, 0.85, { negatable: false }),
  rule('fraud.fr.strange-transaction', 'intent', 'fraud',
    `\\b${TX} (?:\\w+ ){0,3}(?:inconnu|inconnue|inconnus|inconnues|suspect|suspecte|suspects|suspectes|bizarre|bizarres|etrange|etranges|douteux|douteuse|douteuses|louche|louches|frauduleux|frauduleuse|anormal|anormale|anormaux|inhabituel|inhabituelle|inexplique|inexpliquee|mysterieux|mysterieuse|que je ne reconnais pas|que je ne connais pas|pas de moi)\\b|\\b(?:etrange|etranges|bizarre|bizarres|mysterieux|mysterieuse|drole de|droles de) ${TX}\\b`, 0.8),
  rule('fraud.fr.not-me', 'intent', 'fraud',
    '\\b(?:ce n est pas moi|c est pas moi|ce n etait pas moi|c etait pas moi) (?:qui )?(?:ai |l ai |est |a )?(?:fait|effectue|autorise|paye|achete|retire|depense|valide)\\b', 0.7, { negatable: false }),
  rule('fraud.fr.someone-used', 'intent', 'fraud',
    `\\b(?:quelqu un|quelquun|qqn|une personne|un inconnu|une inconnue|des inconnus|un tiers|on|ils|un escroc|un voleur) (?:\\w+ ){0,2}(?:a utilise|ont utilise|utilise|utilisent|est en train d utiliser|se sert de|s est servi de|s est servie de|a pris|a vole|a pirate|a eu acces a|a acces a|connait|a retire|a debite|a fait des achats avec|a effectue|a ouvert|a souscrit|a achete|a copie|a clone|a recupere|a obtenu|a usurpe|m a pris|m a vole) (?:\\w+ ){0,3}(?:ma|mon|mes) (?:\\w+ )?(?:carte|cartes|compte|comptes|coordonnees|donnees|identite|argent|telephone|portable|portefeuille|nom|numero de carte|identifiants|mot de passe|code secret|code pin|code confidentiel|cb|informations)\\b`, 0.85),
  rule('fraud.fr.cloned-card', 'intent', 'fraud',
    '\\bcarte (?:\\w+ ){0,2}(?:clonee|copiee|skimmee|piratee|dupliquee)\\b|\\b(?:clonage|skimming) de (?:ma )?carte\\b', 0.85),
  rule('fraud.fr.dispute', 'intent', 'fraud',
    `\\b(?:conteste|contester|contestation|contestons) (?:(?:ce|cette|ces|cet|le|la|les|l|un|une) )?(?:\\w+ ){0,2}(?:${TX}|debit)\\b|\\bje conteste\\b`, 0.6),
  rule('fraud.fr.block', 'intent', 'fraud',
    '\\b(?:faire|fait|mettre|mettez|faites) (?:une |en |l )?opposition\\b|\\bopposition (?:sur|a|de) (?:ma|mon|la|le)\\b|\\b(?:bloquer|bloquez|bloque|geler|gelez|suspendre|suspendez|desactiver|desactivez|annuler|annulez) (?:\\w+ ){0,2}(?:ma|mon|mes) (?:\\w+ )?(?:carte|cartes|compte|comptes|cb|carte bancaire)\\b', 0.75),
  rule('fraud.fr.identity', 'intent', 'fraud',
    '\\b(?:ouvert|ouverte|ouverts|souscrit|souscrite|contracte|contractee|cree|creee|pris|prise) (?:\\w+ ){0,4}(?:a mon nom|en mon nom|sous mon nom|avec mon identite|avec mes papiers)\\b|\\bse (?:fait|faisant) passer pour\\b', 0.85),
  rule('fraud.fr.phishing', 'intent', 'fraud',
    '\\b(?:faux|fausse|faux) (?:mail|email|e mail|sms|message|site|conseiller|conseillere|appel|banquier|banquiere|livreur|colis|lien)\\b|\\b(?:mail|email|e mail|sms|message|appel|site|lien) (?:\\w+ )?(?:frauduleux|frauduleuse|suspect|suspecte|bizarre|douteux|douteuse|louche|pirate)\\b|\\b(?:donne|communique|transmis|saisi|entre|tape|envoye) (?:\\w+ ){0,3}(?:mes coordonnees bancaires|mes codes|mes identifiants|mes informations bancaires|mon code (?:secret|confidentiel|pin|de carte|de securite|de validation)|mon mot de passe|mon numero de carte|mon cryptogramme)\\b', 0.75),

  // ---- deuil ---------------------------------------------------------------------------------------------------
  rule('bereavement.fr.kin-died', 'intent', 'bereavement',
    `\\b(?:mon|ma|mes|notre|nos|m) (?:\\w+ )?${KIN} (?:\\w+ ){0,3}(?:est decede|est decedee|sont decedes|decede|decedee|est mort|est morte|sont morts|nous a quitte|nous a quittes|nous a quittee|nous ont quittes|s est eteint|s est eteinte|vient de mourir|est parti rejoindre|est partie rejoindre|a ete tue|a ete tuee|a perdu la vie|est tombe au combat)\\b`, 0.94),
  rule('bereavement.fr.death-of', 'intent', 'bereavement',
    `\\b(?:deces|mort|disparition|obseques|funerailles|enterrement|succession|heritage|perte) (?:de|d) (?:mon|ma|mes|notre|nos) (?:\\w+ )?${KIN}\\b`, 0.94),
  rule('bereavement.fr.lost-kin', 'intent', 'bereavement',
    `\\b(?:perdu|perdre|perte de|enterre|enterrer|pleure) (?:mon|ma|mes|notre|nos) (?:\\w+ )?${KIN}\\b(?! (?:de vue)\\b)`, 0.85),
  rule('bereavement.fr.keyword', 'intent', 'bereavement',
    '\\b(?:deces|decede|decedee|decedes|decedees|defunt|defunte|defunts|feu mon|feue ma|deuil|endeuille|endeuillee|obseques|funerailles|enterrement|inhumation|cremation|veuf|veuve|acte de deces|certificat de deces|ayant droit|ayants droit|ayant droits|executeur testamentaire|pompes funebres|notaire (?:charge|de) la succession|la succession|une succession|succession de (?:mon|ma|mes|feu)|dossier de succession|frais de succession|declaration de succession|heritiers?|heritieres?|condoleances|nous a quittes|nous a quitte|nous a quittee)\\b', 0.9),
  rule('bereavement.fr.he-died', 'intent', 'bereavement',
    '\\b(?:il|elle|ils|elles|qui) (?:\\w+ )?(?:est decede|est decedee|est mort|est morte|sont morts|sont decedes|nous a quitte|nous a quittee|est parti trop tot|est partie trop tot)\\b', 0.7),

  // ---- demande d'un humain ---------------------------------------------------------------------------------------
  rule('human_request.fr.speak-to', 'intent', 'human_request',
    `\\b(?:parler|parle|discuter|echanger|communiquer|converser|mis en relation|mise en relation|mettre en relation|mettez moi en relation|me mettre en relation|joindre|contacter|appeler|avoir|etre transfere|etre transferee|transferer|transferez|passer|passez moi|passe moi|rappele|rappeler|rappelez moi|etre rappele|etre rappelee|avoir affaire) (?:\\w+ ){0,2}(?:a|avec|en relation avec|au|aux)? ?(?:un|une|le|la|l|des|vrai|vraie|vrais|veritable)? ?(?:\\w+ )?${PERSON}\\b`, 0.9,
    { unless: HOURS_QUESTION }),
  rule('human_request.fr.want-human', 'intent', 'human_request',
    `\\b(?:veux|veut|voudrais|voudrait|souhaite|souhaiterais|aimerais|exige|demande|besoin d|besoin de|il me faut|faut|peux|puis je|pourrais|pourriez vous|est il possible|svp|plait) (?:\\w+ ){0,3}(?:un |une |a un |a une |avec un |avec une )?(?:vrai |vraie |veritable )?(?:humain|etre humain|personne reelle|vraie personne|conseiller|conseillere|agent|operateur|operatrice|interlocuteur|responsable|quelqu un de reel|quelqu un de vrai)\\b`, 0.85,
    { unless: HOURS_QUESTION }),
  rule('human_request.fr.one-word', 'intent', 'human_request',
    '^ (?:un |une |le |la )?(?:humain|conseiller|conseillere|agent|operateur|operatrice|personne reelle|service client|vrai humain)(?: svp| s il vous plait| s il te plait| stp| merci| maintenant| !| \\.)* $', 0.9),
  rule('human_request.fr.not-a-bot', 'intent', 'human_request',
    '\\b(?:pas|plus|arreter|arrete|marre de|fini de) (?:\\w+ ){0,2}(?:parler|discuter|causer) (?:a|avec) (?:un|une|ce|cette|le|la|votre|ton|des) (?:\\w+ )?(?:robot|robots|bot|bots|machine|ordinateur|chatbot|ia|automate)\\b|\\b(?:suis je en train de parler a|est ce que je parle a|je parle a|y a t il|il y a) (?:un |une )?(?:vrai |vraie )?(?:humain|personne)\\b', 0.8, { negatable: false }),

  // ---- urgence -------------------------------------------------------------------------------------------------
  rule('urgent.fr.keyword', 'intent', 'urgent',
    '\\b(?:urgent|urgente|urgents|urgentes|urgence|en urgence|au plus vite|au plus tot|immediatement|tout de suite|des que possible|le plus rapidement possible|le plus vite possible|sans delai|sans attendre|c est presse|tres presse|tres pressee|asap|de toute urgence|imperativement)\\b', 0.85),
  rule('urgent.fr.stranded', 'intent', 'urgent',
    '\\b(?:distributeur|dab|gab|guichet automatique|machine) (?:\\w+ ){0,3}(?:a avale|avale|a garde|garde|a retenu|retenu|a bloque|ne m a pas rendu|n a pas rendu|a mange|a confisque)\\b|\\bcarte (?:\\w+ ){0,3}(?:avalee|retenue|coincee|confisquee|mangee) (?:par|dans)\\b|\\b(?:bloque|bloquee|coince|coincee) a l etranger\\b|\\b(?:bagage|bagages|valise|valises) (?:\\w+ ){0,3}(?:perdu|perdue|perdus|perdues|egare|egaree|egares|pas arrive|pas arrivee|pas arrives|jamais arrive|introuvable|introuvables)\\b', 0.7),

  // Two rules rather than one, item or housing date first then the time: each stays small enough for the ReDoS checker to
  // decide (tests/security/redos.test.ts); the time-first order was too large for it and is left to the dialogs' date check.
  rule('urgent.fr.deadline', 'intent', 'urgent', `\\b${ESSENTIAL} +(?:[^ ]+ +){0,10}${NEEDED_WHEN}\\b`, 0.75, { negatable: false, unless: NOT_PRESSING }),
  rule('urgent.fr.deadline-housing', 'intent', 'urgent', `\\b${HOUSING} +(?:[^ ]+ +){0,10}${NEEDED_WHEN}\\b`, 0.75, { negatable: false, unless: NOT_PRESSING }),

  // ---- réclamation -------------------------------------------------------------------------------------------
  rule('complaint.fr.file', 'intent', 'complaint',
    '\\b(?:plainte|plaintes|porter plainte|deposer plainte|reclamation|reclamations|faire une reclamation|litige|litiges|mediateur|mediation|association de consommateurs|ufc|que choisir|avocat|avocats|huissier|tribunal|justice|dgccrf|signal conso|signalconso|avis negatif|mauvais avis|mauvaise note|me plaindre|vous plaindre|se plaindre|je me plains)\\b', 0.8),
  rule('complaint.fr.dissatisfied', 'intent', 'complaint',
    '\\b(?:inadmissible|inacceptable|scandaleux|scandaleuse|scandale|honteux|honteuse|c est une honte|quelle honte|lamentable|pitoyable|minable|n importe quoi|foutage de gueule|se fout de|se foutre de|vous moquez|moquez vous|vous vous moquez|se moque|pas serieux|pas normal|pas acceptable|pas possible|j en ai marre|marre|ras le bol|raslebol|y en a marre|toujours pas|toujours rien|toujours aucun|toujours aucune|jamais recu|jamais recue|jamais arrive|jamais arrivee|jamais livre|jamais livree|aucune reponse|aucune nouvelle|aucun retour|personne ne repond|personne ne me repond|pas de reponse|sans reponse|sans nouvelles|(?:deuxieme|troisieme|quatrieme|cinquieme|2e|3e|4e|5e|2eme|3eme|4eme|5eme|2ieme|3ieme) fois|(?:3|4|5|trois|quatre|cinq|plusieurs) fois que|(?:cela|ca) fait (?:\\w+ ){0,2}(?:jours|semaines|mois)|depuis (?:\\w+ ){0,2}(?:semaines|mois)|des semaines|des mois|rembourse moi|remboursez moi|je veux (?:etre )?rembourse|je veux (?:etre )?remboursee|je veux mon argent|remboursement immediat|service client (?:nul|lamentable|inexistant|deplorable)|tres decu|tres decue|mauvais service|mauvaise experience|pire service|vraiment nul|c est nul|gros souci|gros probleme|publicite mensongere|mensonger|mensongere|vous m avez menti|des escrocs|quelle deception|vous comptez me livrer quand|inadmissible|deplorable|incompetents?|incapables?)\\b', 0.7),
  // Mêmes griefs écrits qu'en anglais : refus, erreurs jamais corrigées, frais et relances qui continuent.
  rule('complaint.fr.grievance', 'intent', 'complaint',
    '\\b(?:(?:ils|elle|il|la banque|le vendeur|le service client|la societe|l entreprise|le transporteur|vous) (?:\\w+ ){0,2}(?:refusent|refuse|a refuse|ont refuse|refusez|avez refuse) (?:de|d)|(?:facture|factures|facturee|prelevee?s?|debitee?s?|preleve|debite|refuse|refusee|bloque|bloquee|cloture|cloturee) a tort|a tort|toujours pas (?:ete )?(?:rembourse|remboursee|corrige|corrigee|resolu|resolue|regle|reglee|credite|creditee)|jamais (?:eu|recu|obtenu) (?:de |d )?(?:reponse|explication|remboursement|retour)|sans (?:aucune )?(?:explication|raison|justification|prevenir|preavis)|(?:continuent|continue) (?:de|a) (?:me )?(?:prelever|facturer|relancer|appeler|harceler)|harcelement|harcele|harcelee|harcelent|menace|menaces|menacee?|trompe|trompee|abusif|abusive|abusifs)\\b', 0.6),
  rule('complaint.fr.broken', 'intent', 'complaint',
    '\\b(?:abime|abimee|abimes|abimees|endommage|endommagee|endommages|casse|cassee|casses|cassees|defectueux|defectueuse|ecrase|ecrasee|manquant|manquante|manquants|erreur de commande|mauvais produit|mauvais article|mauvaise taille|pas le bon|pas la bonne|pas ce que j ai commande|produit different|contrefacon|faux produit|odeur (?:est )?differente|colis ouvert|colis vide|colis perdu|colis jamais)\\b', 0.6),

  // ---- détresse ------------------------------------------------------------------------------------------------
  rule('distress.fr.hardship', 'intent', 'distress',
    '\\b(?:ne peux plus|n arrive plus a|n arrive pas a|ne parviens pas a|ne parviens plus a|du mal a|peux plus) (?:\\w+ )?(?:payer|regler|rembourser|boucler|nourrir|faire face|subvenir)(?! (?:par|avec|en ligne|sur le site|ma commande|la commande|le panier|mon panier|mes achats|par carte|par paypal))\\b|\\b(?:perdu|perte de|perdre) (?:mon|ma|notre) (?:emploi|travail|boulot|job|logement|maison|revenu|revenus|entreprise|appartement)\\b|\\b(?:chomage|chomeur|chomeuse|licencie|licenciee|licenciement|sans emploi|sans travail|surendette|surendettee|surendettement|endette|endettee|criblee? de dettes|faillite|expulse|expulsee|expulsion|sans abri|sdf|a la rue|fins? de mois difficiles?|difficultes financieres|problemes? d argent|plus un sou|plus d argent|precarite|banque alimentaire|restos du coeur|fauche|fauchee|dans le rouge|a decouvert)\\b', 0.8),
  rule('distress.fr.illness', 'intent', 'distress',
    '\\b(?:cancer|chimio|chimiotherapie|radiotherapie|hopital|hospitalise|hospitalisee|hospitalisation|reanimation|soins intensifs|malade|maladie|gravement malade|fin de vie|soins palliatifs|handicap|handicape|handicapee|invalidite|alzheimer|demence|avc|infarctus|crise cardiaque|depression|burn out|burnout|arret maladie|accident|blesse|blessee|enceinte|fausse couche|ambulance)\\b', 0.7),
  rule('distress.fr.crisis', 'intent', 'distress',
    '\\b(?:suicide|suicidaire|me suicider|me tuer|en finir(?! avec)|mettre fin a mes jours|envie de mourir|veux mourir|plus envie de vivre|violence conjugale|violences conjugales|violence domestique|violences|battu|battue|me frappe|harcele|harcelee|harcelement|menaces de mort|me menace|agressee?|viol|violee|chantage|pas en securite|personne vers qui me tourner|nulle part ou aller)\\b', 0.95),
  rule('distress.fr.cope', 'intent', 'distress',
    '\\b(?:je n en peux plus|n en peux plus|j en peux plus|je craque|a bout|au bout du rouleau|desespere|desesperee|desespoir|en larmes|je pleure|en pleurs|detresse|je panique|paniquee|terrifie|terrifiee|mort d inquietude|morte d inquietude|malade d inquietude|au secours|ma vie est fichue|effondre|effondree|devaste|devastee|aneanti|aneantie|je ne sais plus quoi faire|sais plus quoi faire|sais plus vers qui)\\b', 0.75),
];

const EMOTION_RULES: PatternRule[] = [
  rule('frustration.fr.phrases', 'emotion', 'frustration',
    '\\b(?:j en ai marre|en ai marre|y en a marre|ras le bol|raslebol|toujours pas|toujours rien|toujours aucune?|encore une fois|(?:deuxieme|troisieme|2e|3e|2eme|3eme) fois|(?:cela|ca) fait (?:\\w+ ){0,2}(?:jours|semaines|mois)|aucune reponse|personne ne repond|n importe quoi|ca suffit|c est pas normal|ce n est pas normal|pas serieux|vous vous moquez|se fout de|ca me saoule|ca me soule|c est une blague|c est une plaisanterie|perte de temps)\\b', 0.65, { negatable: false }),
  rule('anger.fr.phrases', 'emotion', 'anger',
    '\\b(?:hors de moi|fou de rage|folle de rage|foutage de gueule|c est une honte|quelle honte|vous etes des (?:voleurs|escrocs|incapables|incompetents|nuls)|bande d (?:incapables|escrocs|idiots|incompetents)|allez vous faire|va te faire|putain de|bordel de)\\b', 0.8),
  rule('distress.fr.phrases', 'emotion', 'distress',
    '\\b(?:j ai peur|jai peur|peur que|peur de|inquiet pour|inquiete pour|inquiet au sujet|inquiete au sujet|ca m inquiete|je me fais du souci|je me fais un sang d encre|tres inquiet|tres inquiete|vraiment inquiet|vraiment inquiete|mort d inquietude|morte d inquietude|je panique|je stresse|ca m angoisse|je suis perdu|je suis perdue|je ne sais plus quoi faire|je ne sais pas quoi faire|je n en peux plus|j en peux plus|je pleure|en larmes|coeur brise|le coeur serre)\\b', 0.6, { negatable: false }),
  rule('grief.fr.phrases', 'emotion', 'grief',
    '\\b(?:toutes mes condoleances|sinceres condoleances|nous a quittes?|nous a quittee|s est eteinte?|repose en paix|feu mon|feue ma)\\b', 0.85),
  rule('gratitude.fr.phrases', 'emotion', 'gratitude',
    '\\b(?:merci beaucoup|merci bien|merci infiniment|mille mercis|un grand merci|je vous remercie|merci pour (?:votre|ton) aide|c est gentil|tres aimable|vous etes (?:top|super|genial|geniale|formidable))\\b', 0.8),
];

const EMOTIONS: Record<string, Record<string, number>> = {
  anger: {
    colere: 0.8, furieux: 0.9, furieuse: 0.9, enerve: 0.7, enervee: 0.7, enerves: 0.7, enervant: 0.6, rage: 0.8,
    enrage: 0.9, enragee: 0.9, fache: 0.7, fachee: 0.7, scandaleux: 0.7, scandaleuse: 0.7, scandale: 0.6, honteux: 0.7,
    honteuse: 0.7, honte: 0.5, inadmissible: 0.75, inacceptable: 0.7, lamentable: 0.7, pitoyable: 0.7, minable: 0.7,
    nul: 0.5, nulle: 0.5, nuls: 0.55, nullissime: 0.7, incompetent: 0.7, incompetents: 0.7, incompetence: 0.7,
    incapable: 0.5, incapables: 0.65, voleurs: 0.7, escrocs: 0.7, menteur: 0.7, menteurs: 0.7, mensonge: 0.5,
    mensonges: 0.55, merde: 0.6, putain: 0.6, bordel: 0.5, connard: 0.9, connards: 0.9, connasse: 0.9, cons: 0.6,
    debile: 0.6, debiles: 0.6, idiot: 0.6, idiots: 0.7, stupide: 0.6, abruti: 0.8, abrutis: 0.8, cretin: 0.8,
    cretins: 0.8, foutage: 0.8, ridicule: 0.6, absurde: 0.5, degoutant: 0.7, insupportable: 0.7, revoltant: 0.8,
    revoltee: 0.7, revolte: 0.6, indigne: 0.7, deplorable: 0.7, exaspere: 0.6, exasperee: 0.6, wtf: 0.7, fdp: 0.9,
    ptn: 0.6, tg: 0.7, '😡': 0.9, '🤬': 0.95, '😠': 0.8, '💢': 0.7, '🖕': 0.9,
  },
  frustration: {
    marre: 0.75, agace: 0.7, agacee: 0.7, agacant: 0.65, agacante: 0.65, exaspere: 0.8, exasperee: 0.8,
    exasperant: 0.8, excede: 0.8, excedee: 0.8, decu: 0.7, decue: 0.7, decus: 0.7, decues: 0.7, decevant: 0.65,
    decevante: 0.65, deception: 0.65, mecontent: 0.75, mecontente: 0.75, mecontents: 0.75, mecontentement: 0.75,
    insatisfait: 0.7, insatisfaite: 0.7, lasse: 0.5, galere: 0.55, galerer: 0.55, penible: 0.6, relou: 0.6, chiant: 0.6,
    chiante: 0.6, saoule: 0.6, soule: 0.5, degoute: 0.55, degoutee: 0.55, dommage: 0.25, toujours: 0.1, encore: 0.1,
    retard: 0.35, retards: 0.4, lent: 0.4, lenteur: 0.5, inutile: 0.5, inutiles: 0.5, incomprehensible: 0.5,
    bloque: 0.25, bloquee: 0.25, impossible: 0.3, souci: 0.2, probleme: 0.2, problemes: 0.25, erreur: 0.2,
    pfff: 0.6, pff: 0.55, rooo: 0.5, grr: 0.7, bof: 0.35, serieusement: 0.35, franchement: 0.2, attente: 0.2,
    '🙄': 0.6, '😤': 0.75, '😒': 0.5, '😑': 0.45, '😩': 0.6, '😫': 0.6, '🤦': 0.6,
  },
  distress: {
    peur: 0.6, peurs: 0.6, effraye: 0.75, effrayee: 0.75, effrayant: 0.6, effrayante: 0.6, terrifie: 0.85,
    terrifiee: 0.85, terrifiant: 0.7, angoisse: 0.75, angoissee: 0.75, angoissant: 0.6, angoissante: 0.6,
    anxieux: 0.7, anxieuse: 0.7, anxiete: 0.7, inquiet: 0.35, inquiete: 0.35, inquiets: 0.35, inquietude: 0.35,
    inquietant: 0.35, inquietante: 0.35, stresse: 0.55, stressee: 0.55, stress: 0.45, stressant: 0.5, panique: 0.75,
    paniquee: 0.8, desespere: 0.8, desesperee: 0.8, desespoir: 0.8, detresse: 0.8, triste: 0.6, tristes: 0.6,
    tristesse: 0.6, malheureux: 0.5, malheureuse: 0.5, malheureusement: 0.3, pleure: 0.6, pleurer: 0.55, pleurs: 0.6,
    larmes: 0.55, sanglots: 0.7, seul: 0.2, seule: 0.25, deprime: 0.7, deprimee: 0.7, depression: 0.6,
    deprimant: 0.6, effondre: 0.7, effondree: 0.7, devaste: 0.8, devastee: 0.8, choque: 0.5, choquee: 0.5,
    bouleverse: 0.6, bouleversee: 0.6, souffre: 0.5, souffrance: 0.6, douleur: 0.45, malade: 0.4, cauchemar: 0.5,
    catastrophe: 0.35, desole: 0.2, desolee: 0.2, drame: 0.5, dramatique: 0.5, horrible: 0.35, affreux: 0.35,
    terrible: 0.3, perdu: 0.15, perdue: 0.2, mort: 0.4, morte: 0.4, deces: 0.45, hopital: 0.4, cancer: 0.6,
    danger: 0.5, menace: 0.5, menacee: 0.6, vulnerable: 0.6, epuise: 0.4, epuisee: 0.4,
    ':(': 0.5, '😢': 0.65, '😭': 0.65, '😞': 0.55, '😟': 0.55, '😨': 0.7, '😱': 0.6, '😰': 0.7, '💔': 0.65,
    '☹': 0.55, '😔': 0.55, '😥': 0.6,
  },
  grief: {
    deuil: 0.9, endeuille: 0.9, endeuillee: 0.9, condoleances: 0.7, obseques: 0.8, funerailles: 0.8,
    enterrement: 0.8, decede: 0.7, decedee: 0.7, defunt: 0.7, defunte: 0.7, veuf: 0.7, veuve: 0.7, deces: 0.7,
    '🕊': 0.5, '🕯': 0.4,
  },
  gratitude: {
    merci: 0.7, mercii: 0.7, remercie: 0.75, remercions: 0.75, remerciements: 0.8, reconnaissant: 0.8,
    reconnaissante: 0.8, gentil: 0.35, gentille: 0.35, aimable: 0.4, super: 0.25, parfait: 0.3, genial: 0.3,
    top: 0.2, excellent: 0.3, nickel: 0.3, formidable: 0.35, bravo: 0.4, cool: 0.2, '🙏': 0.6, '❤': 0.3, '😊': 0.4,
    '🙂': 0.25, '👍': 0.3,
  },
};

const NEGATED_POSITIVES: Record<string, number> = {
  content: 0.6, contente: 0.6, contents: 0.6, satisfait: 0.65, satisfaite: 0.65, satisfaits: 0.65, heureux: 0.5,
  heureuse: 0.5, ravi: 0.55, ravie: 0.55, normal: 0.5, normale: 0.5, serieux: 0.55, acceptable: 0.6, correct: 0.5,
  correcte: 0.5, professionnel: 0.5, fiable: 0.45, efficace: 0.45, aimable: 0.45, poli: 0.5, polie: 0.5,
  bon: 0.3, bonne: 0.3, bien: 0.25, top: 0.35, terrible: 0.3, genial: 0.35, recu: 0.3, recue: 0.3, clair: 0.3,
};

const INTENSIFIERS: Record<string, number> = {
  tres: 1.4, trop: 1.3, vraiment: 1.35, tellement: 1.4, si: 1.2, super: 1.3, hyper: 1.4, extremement: 1.6,
  completement: 1.4, totalement: 1.4, absolument: 1.5, particulierement: 1.3, profondement: 1.4, grave: 1.2,
  vachement: 1.3, carrement: 1.3, franchement: 1.2, archi: 1.4, ultra: 1.4, sacrement: 1.3, plutot: 0.8, assez: 0.9,
  peu: 0.6, legerement: 0.6, moyennement: 0.7, limite: 0.8,
};

const REPLACEMENTS: Record<string, string> = {
  // SMS and informal spellings (the normaliser has already folded accents and split elisions)
  jveux: 'je veux', jvx: 'je veux', jve: 'je veux', jvoudrais: 'je voudrais', jpeux: 'je peux', jpe: 'je peux',
  chui: 'je suis', chuis: 'je suis', chu: 'je suis', jsuis: 'je suis', jsui: 'je suis', jss: 'je suis',
  jsais: 'je sais', jsai: 'je sais', chais: 'je sais', chai: 'je sais', jai: 'j ai', jme: 'je me', jmen: 'je m en',
  jvais: 'je vais', jvai: 'je vais', jpense: 'je pense', jcomprends: 'je comprends', jcomprend: 'je comprends',
  jcrois: 'je crois', jaimerais: 'j aimerais', jattends: 'j attends', jattend: 'j attends', jarrive: 'j arrive',
  jtrouve: 'je trouve', jretrouve: 'je retrouve', jcontacte: 'je contacte', jparle: 'je parle', jen: 'j en',
  jpourrais: 'je pourrais', jsouhaite: 'je souhaite', jdois: 'je dois', jcomprens: 'je comprends',
  pk: 'pourquoi', pq: 'pourquoi', pkoi: 'pourquoi', pourkoi: 'pourquoi', pqoi: 'pourquoi', prq: 'pourquoi',
  bcp: 'beaucoup', bcq: 'beaucoup', svp: 's il vous plait', stp: 's il te plait', slt: 'salut', bjr: 'bonjour',
  bsr: 'bonsoir', tjrs: 'toujours', tjs: 'toujours', tjr: 'toujours', toujour: 'toujours', qd: 'quand',
  qnd: 'quand', pr: 'pour', ds: 'dans', koi: 'quoi', kwa: 'quoi', ke: 'que', ki: 'qui', kel: 'quel', kelle: 'quelle',
  mm: 'meme', tt: 'tout', tte: 'toute', ts: 'tous', vs: 'vous', ns: 'nous', pb: 'probleme', pbm: 'probleme',
  pbs: 'problemes', rdv: 'rendez vous', msg: 'message', dsl: 'desole', cb: 'cb', mtn: 'maintenant',
  mnt: 'maintenant', auj: 'aujourd hui', ajd: 'aujourd hui', aujourdhui: 'aujourd hui', pcq: 'parce que',
  pck: 'parce que', psk: 'parce que', pske: 'parce que', paske: 'parce que', pa: 'pas', ps: 'pas', ya: 'il y a',
  nimporte: 'n importe', ct: 'c etait', jsp: 'je sais pas',
  chepa: 'je sais pas', chaipa: 'je sais pas', qqn: 'quelqu un', qqun: 'quelqu un', qlq: 'quelque', qqch: 'quelque chose',
  quelquun: 'quelqu un', tel: 'telephone', dc: 'donc', dac: 'd accord', dacc: 'd accord', oki: 'ok', vrmt: 'vraiment', vrm: 'vraiment', tlm: 'tout le monde', mrc: 'merci', mci: 'merci',
  arnak: 'arnaque', arnake: 'arnaque', arnaker: 'arnaquer', escroquri: 'escroquerie', fraud: 'fraude',
  umain: 'humain', humin: 'humain', umin: 'humain', conseiler: 'conseiller', conseilier: 'conseiller',
  conseilee: 'conseillere', operatrise: 'operatrice', colit: 'colis', coli: 'colis', remboursser: 'rembourser',
  deceder: 'decede', frode: 'fraude', fraudee: 'fraude', piratter: 'pirater', vollee: 'volee', volle: 'vole',
};

/** The built-in French language pack. */
export const frenchPack: LanguagePack = {
  code: 'fr',
  splitElisions: true,
  stopwords: [
    'le', 'la', 'les', 'de', 'des', 'du', 'je', 'j', 'vous', 'est', 'et', 'un', 'une', 'pour', 'pas', 'ne', 'mon', 'ma',
    'mes', 'que', 'qui', 'sur', 'avec', 'au', 'aux', 'ce', 'cette', 'c', 'il', 'elle', 'nous', 'bonjour', 'merci',
    'svp', 'oui', 'non', 'commande', 'colis', 'livraison', 'suis', 'ai', 'avez', 'mais', 'ou', 'dans', 'parler',
    'votre', 'vos', 'toujours', 'encore', 'quand', 'pourquoi', 'comment', 'veux', 'voudrais', 'jveux', 'chui',
    'humain', 'conseiller', 'carte', 'compte', 'paiement', 'argent', 'rien', 'jamais', 'tres', 'aussi', 'moi', 'mais',
    'sont', 'etait', 'fait', 'ca', 'cela', 'depuis', 'plus', 'bien', 'tout', 'chez', 'car', 'donc', 'alors', 'mdr',
    'pk', 'stp', 'slt', 'bjr', 'quelqu', 'personne', 'aide', 'aidez', 'madame', 'monsieur', 'bonsoir', 'reçu', 'recu',
  ],
  replacements: REPLACEMENTS,
  negators: ['ne', 'n', 'pas', 'jamais', 'aucun', 'aucune', 'ni', 'sans', 'rien', 'nullement', 'guere'],
  scopeBreakers: ['mais', 'si', 'car', 'parce', 'et', 'comment', 'pourquoi', 'sais', 'comprends', 'quand', 'ou', 'donc', 'savoir'],
  intensifiers: INTENSIFIERS,
  sentimentLabels: frenchSentimentLabels,
  emotionLexicons: EMOTIONS,
  negatedPositives: NEGATED_POSITIVES,
  rules: [...RULES, ...EMOTION_RULES],
  typoTargets: [
    'humain', 'conseiller', 'conseillere', 'personne', 'operateur', 'operatrice', 'fraude', 'arnaque', 'escroquerie',
    'pirate', 'piratage', 'prelevement', 'paiement', 'transaction', 'reclamation', 'plainte', 'decede', 'decedee',
    'urgent', 'urgence', 'immediatement', 'portefeuille', 'telephone', 'inadmissible', 'inacceptable', 'scandaleux',
    'retrait', 'virement', 'reconnais', 'autorise', 'obseques', 'succession', 'enterrement', 'desespere',
    'angoisse', 'inquiet', 'inquiete', 'mecontent', 'mecontente', 'furieux', 'furieuse', 'remboursement',
    'quelqu', 'parler', 'service', 'client', 'contacter', 'joindre',
  ],
  neutralisers: [
    '\\b(?:mort|morte|morts|mortes|mourir|meurs|meurt|crever|creve) (?:de|d) (?:rire|fatigue|faim|peur|honte|froid|soif|envie|ennui|chaud)\\b',
    '\\bmdr\\b', '\\bptdr\\b', '\\bmortel\\b', '\\bmortelle\\b', '\\bc est mort\\b', '\\bje suis mort\\b', '\\bje suis morte\\b',
    '\\b(?:batterie|batteries|telephone|portable|cell|cellulaire|gsm|natel|mobile|smartphone|iphone|ordinateur|ordi|voiture|char|appli|application|ecran|pile|piles|moteur|site|imprimante|tablette|box|connexion|chargeur|carte sim|ampoule|plante) (?:\\w+ ){0,3}(?:est |sont )?(?:mort|morte|morts|mortes|decede|hs|a rendu l ame|a lache|a claque)\\b',
    '\\bsuccession (?:de|d) (?!(?:mon|ma|mes|feu|feue)\\b)',
    '\\b(?:tuer le temps|ca me tue|ca tue|tue l amour|tu me tues|vous me tuez)\\b',
    '\\b(?:delai|date|temps|semaine|heure|heures|jours|date limite|echeance) (?:\\w+ )?(?:est |sont )?(?:passe|passee|passes|depasse|depassee)\\b',
    '\\b(?:perdu|perdue|oublie|egare) (?:mon |ma |le |la )?(?:numero de suivi|numero de commande|mot de passe|code promo|code|identifiant|identifiants|mail|e mail|facture|bon de reduction|lien)\\b',
    '\\b(?:pas de souci|pas de soucis|pas de probleme|aucun probleme|aucun souci|ne vous inquietez pas|ne t inquiete pas|pas d inquietude|sans souci)\\b',
    '\\bvol (?:de|d) (?:retour|nuit|ligne|correspondance)\\b|\\bmon vol\\b|\\ble vol\\b|\\bun vol (?:pour|vers|a destination)\\b',
    '\\bplan (?:de|d) (?:urgence)\\b|\\bprix (?:mortel|de folie)\\b|\\bune tuerie\\b|\\bc est une tuerie\\b',
    // Une carte ou un paiement refusé n'est pas une fraude (le client demande pourquoi, ou comment payer autrement).
    '\\b(?:carte|cb|paiement|paiements|transaction|achat|virement) (?:\\w+ ){0,4}(?:refuse|refusee|refuses|refusees|decline|declinee|rejete|rejetee)\\b',
  ],
};
