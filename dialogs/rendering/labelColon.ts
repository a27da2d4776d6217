import type { DialogLanguage } from '../messages';

/**
 * The colon after a label, as each language writes it: `':'` in English, a no-break space and `':'` in French (so the
 * colon never starts a line on its own).
 * @example `${labels.status}${labelColon('fr')} ${statusName}` // "Statut : Livré"
 */
export const labelColon = (language: DialogLanguage): string => (language === 'fr' ? '\u00a0:' : ':');
