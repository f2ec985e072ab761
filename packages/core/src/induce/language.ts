/**
 * A cheap language check by writing system: enough to catch a model answering in the wrong language (names in
 * English for a Japanese corpus, Cyrillic for a German one), not to tell French from German. Script_Extensions,
 * not Script: shared marks such as the Japanese prolonged sound mark "ー" belong to the scripts that use them.
 */
const SCRIPT_BY_LANGUAGE: Record<string, RegExp> = {};
const LATIN = /\p{Script_Extensions=Latin}/u;
for (const lang of [
  'en', 'fr', 'de', 'es', 'it', 'pt', 'nl', 'sv', 'da', 'no', 'nb', 'nn', 'fi', 'pl', 'cs', 'sk', 'sl', 'hr', 'ro',
  'hu', 'tr', 'id', 'ms', 'vi', 'et', 'lv', 'lt', 'is', 'ga', 'ca', 'eu', 'gl', 'sq', 'sw', 'tl', 'af',
]) {
  SCRIPT_BY_LANGUAGE[lang] = LATIN;
}
for (const lang of ['ru', 'uk', 'be', 'bg', 'sr', 'mk', 'kk', 'ky', 'mn']) SCRIPT_BY_LANGUAGE[lang] = /\p{Script_Extensions=Cyrillic}/u;
SCRIPT_BY_LANGUAGE['el'] = /\p{Script_Extensions=Greek}/u;
for (const lang of ['ar', 'fa', 'ur']) SCRIPT_BY_LANGUAGE[lang] = /\p{Script_Extensions=Arabic}/u;
SCRIPT_BY_LANGUAGE['he'] = /\p{Script_Extensions=Hebrew}/u;
for (const lang of ['hi', 'mr', 'ne']) SCRIPT_BY_LANGUAGE[lang] = /\p{Script_Extensions=Devanagari}/u;
SCRIPT_BY_LANGUAGE['th'] = /\p{Script_Extensions=Thai}/u;
SCRIPT_BY_LANGUAGE['ko'] = /[\p{Script_Extensions=Hangul}\p{Script_Extensions=Han}]/u;
SCRIPT_BY_LANGUAGE['zh'] = /\p{Script_Extensions=Han}/u;
SCRIPT_BY_LANGUAGE['ja'] = /[\p{Script_Extensions=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}]/u;

/** Whether `language` (ISO 639-1, region suffix ignored: 'pt-BR') has a known script. */
export function isCheckableLanguage(language: string): boolean {
  return SCRIPT_BY_LANGUAGE[baseLanguage(language)] !== undefined;
}

function baseLanguage(language: string): string {
  return language.toLowerCase().split(/[-_]/)[0] ?? '';
}

/**
 * Share of the letters of `text` written in the script of `language` (1 when the text has no letters or the
 * language is unknown: nothing to object to).
 */
export function scriptShare(text: string, language: string): number {
  const script = SCRIPT_BY_LANGUAGE[baseLanguage(language)];
  if (script === undefined) return 1;
  let letters = 0;
  let matching = 0;
  for (const ch of text) {
    if (!/\p{L}/u.test(ch)) continue;
    letters++;
    if (script.test(ch)) matching++;
  }
  return letters === 0 ? 1 : matching / letters;
}

/** At least this share of letters must be in the expected script (brand names and acronyms leave room). */
export const MIN_SCRIPT_SHARE = 0.6;
