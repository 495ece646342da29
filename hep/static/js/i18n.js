// Client gettext: the catalog comes from /i18n/<locale>.json, built from the server's .po files.
export const LOCALES = ['en', 'es'];
export const LANGUAGE_NAMES = { en: 'English', es: 'Español' };
let messages = {};
let current = 'en';

/** Translate msgid; {name} placeholders are filled from params. */
export function _(msgid, params) {
  const text = messages[msgid] || msgid;
  return params ? text.replace(/\{(\w+)\}/g, (m, k) => (k in params ? fmtValue(params[k]) : m)) : text;
}

function fmtValue(v) {
  return typeof v === 'number' ? number(v) : String(v);
}

export function locale() {
  return current;
}

function normalize(tag) {
  const lang = String(tag || '').toLowerCase().split(/[-_]/)[0];
  return LOCALES.includes(lang) ? lang : null;
}

function cookieLocale() {
  const m = document.cookie.match(/(?:^|;\s*)hep_locale=([^;]+)/);
  return m ? normalize(m[1]) : null;
}

/** The saved choice (server, then this device), then the browser's languages. */
export function pickLocale(userLocale) {
  let stored = null;
  try { stored = localStorage.getItem('hep_locale'); } catch (e) { /* private mode */ }
  return normalize(userLocale) || normalize(stored) || cookieLocale() ||
    (navigator.languages || [navigator.language]).map(normalize).find(Boolean) || 'en';
}

/** Remember on this device; the cookie lets server pages (join, shell) match. */
export function rememberLocale(lang) {
  try { localStorage.setItem('hep_locale', lang); } catch (e) { /* private mode */ }
  document.cookie = `hep_locale=${lang}; path=/; max-age=31536000; samesite=lax`;
}

export async function loadLocale(lang) {
  lang = normalize(lang) || 'en';
  try {
    const res = await fetch(`/i18n/${lang}.json`, { credentials: 'same-origin' });
    messages = res.ok ? (await res.json()).messages || {} : {};
  } catch (e) {
    messages = {};
    lang = 'en';
  }
  current = lang;
  document.documentElement.lang = lang;
}

/* Locale formatting with Intl. Dates given as 'YYYY-MM-DD' are calendar days, not instants. */
export function parseDay(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

export function date(value, opts = { weekday: 'long', day: 'numeric', month: 'long' }) {
  const d = typeof value === 'string' && value.length === 10 ? parseDay(value) : new Date(value);
  return new Intl.DateTimeFormat(current, opts).format(d);
}

export function time(value) {
  return new Intl.DateTimeFormat(current, { hour: 'numeric', minute: '2-digit' }).format(new Date(value));
}

export function number(n, opts) {
  return new Intl.NumberFormat(current, opts).format(n);
}

/** ISO weekday 1 (Monday) .. 7 as a word. */
export function weekday(iso, style = 'long') {
  return new Intl.DateTimeFormat(current, { weekday: style }).format(new Date(2024, 0, iso)); // 2024-01-01 was a Monday
}
