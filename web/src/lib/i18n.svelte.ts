/**
 * The current language and the UI text in it (the text itself: messages.ts). Chinese is the default;
 * the choice is remembered in localStorage and mirrored on `<html lang>`.
 *
 * @example
 *   import { i18n, t } from './i18n.svelte.ts';
 *   t('loading.cells');               // "加载网格…" or "Loading cells…"
 *   t('table.rows', { n: 78 });       // "{n} 个社区" with n filled in
 *   i18n.lang = 'en';
 */

import { en, zh, type Lang, type MessageKey as Key } from './messages.ts';

export type { Lang };

const dictionaries: Record<Lang, Record<Key, string>> = { zh, en };
const STORAGE_KEY = 'lifecircle.lang';

function storedLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'zh' ? v : 'zh';
  } catch {
    return 'zh'; // storage blocked (private mode, file://): fall back to the default
  }
}

/** The current language; setting it re-renders every `t()` that depends on it. */
class I18n {
  #lang = $state<Lang>(storedLang());

  constructor() {
    document.documentElement.lang = this.htmlLang;
  }

  get lang(): Lang {
    return this.#lang;
  }

  set lang(value: Lang) {
    this.#lang = value;
    document.documentElement.lang = this.htmlLang;
    try {
      localStorage.setItem(STORAGE_KEY, value);
    } catch {
      // not remembered, still switched
    }
  }

  get htmlLang(): string {
    return this.#lang === 'zh' ? 'zh-CN' : 'en';
  }

  /** BCP 47 locale for number formatting. */
  get locale(): string {
    return this.#lang === 'zh' ? 'zh-CN' : 'en-GB';
  }

  toggle(): void {
    this.lang = this.#lang === 'zh' ? 'en' : 'zh';
  }

  /** The text for `key` with `{name}` placeholders filled from `vars`. */
  t(key: Key, vars?: Record<string, string | number>): string {
    const text = dictionaries[this.#lang][key];
    return vars ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) : text;
  }

  /** Whether `key` is a message (for keys made from data, such as a rule's kind). */
  has(key: string): key is Key {
    return key in zh;
  }

  /** A name given in both languages by the API (categories), in the current one. */
  name(item: { zh: string; en: string }): string {
    return this.#lang === 'zh' ? item.zh : item.en;
  }

  /** A count with the locale's digit grouping. */
  int(n: number | null | undefined): string {
    return n === null || n === undefined ? '—' : Math.round(n).toLocaleString(this.locale);
  }
}

export type { Key as MessageKey };
export const i18n = new I18n();
export const t = (key: Key, vars?: Record<string, string | number>): string => i18n.t(key, vars);
