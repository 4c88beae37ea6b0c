// i18next with Russian first and English second; the choice is kept per PC.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { common } from './common';
import { screens } from './screens';

export type Lang = 'ru' | 'en';
const LANG_KEY = 'plantdesk.lang';

function merge(lang: Lang) {
  return Object.assign({}, common[lang], ...screens.map((s) => s[lang]));
}

export const initialLang: Lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'ru';

void i18next.use(initReactI18next).init({
  resources: { ru: { translation: merge('ru') }, en: { translation: merge('en') } },
  lng: initialLang,
  fallbackLng: 'ru',
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(lang: Lang): void {
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
  void i18next.changeLanguage(lang);
}

export default i18next;
