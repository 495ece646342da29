// JSON API client: session cookie, CSRF header on writes, problem+json errors.
// Writes go through the outbox core's send(), so the page and the service worker share one
// CSRF-token handling; outbox-core.js is a plain script that sets globalThis.hepOutboxCore.
import './outbox-core.js';

const core = globalThis.hepOutboxCore;

/** An HTTP error answer: status and the problem+json body. */
export const ApiError = core.ApiError;
/** POST/PUT/PATCH/DELETE with the CSRF token; on a CSRF failure, one retry with a fresh token. */
export const send = core.send;

/** True when the request never reached the server (offline, DNS, timeout). */
export function isNetworkError(err) {
  return err instanceof TypeError || (err && err.name === 'AbortError');
}

async function parse(res) {
  const type = res.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await res.json().catch(() => null) : null;
  if (!res.ok) throw new ApiError(res.status, body);
  if (body && typeof body === 'object' && res.headers.get('X-HEP-Offline')) {
    Object.defineProperty(body, 'offline', { value: true, enumerable: false });
  }
  return body;
}

/** Name the app's language on every call (see outbox-core.js setLocale). */
export const setLocale = core.setLocale;

export async function get(path) {
  return parse(await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json', ...core.localeHeaders() } }));
}

/** Fetch `path` so the service worker keeps a copy in the app's language (errors ignored). */
export function warm(path) {
  return fetch(path, { credentials: 'same-origin', headers: core.localeHeaders() }).catch(() => {});
}

/** GET /api/v1/me; remembers the CSRF token. `fresh` bypasses the service worker's copy. */
export async function me(fresh = false) {
  const body = fresh ? await core.freshSession() : await get('/api/v1/me');
  core.setCsrfToken(body && body.csrf_token);
  return body;
}

/** A client UUID v4 (crypto.randomUUID needs a secure context; fall back elsewhere). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Local time as ISO 8601 with the UTC offset, e.g. 2025-03-01T08:30:00+01:00. */
export function isoNow(d = new Date()) {
  const p = (n) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}` +
    `${off >= 0 ? '+' : '-'}${p(Math.trunc(off / 60))}:${p(off % 60)}`;
}

export function localDay(d = new Date()) {
  return isoNow(d).slice(0, 10);
}
