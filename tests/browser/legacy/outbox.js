// Offline outbox: writes wait in IndexedDB with their client UUID until the server has them.
// The server's replay rules (same id + same body -> 200) make every replay harmless.
// The service worker replays the same stores on Background Sync (see templates/patient/sw.js).
import { send, ApiError, isNetworkError } from './api.js';

const listeners = new Set();
let dbPromise = null;

function openDb() {
  dbPromise = dbPromise || new Promise((resolve, reject) => {
    const r = indexedDB.open('hep', 1);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
      if (!db.objectStoreNames.contains('rejected')) db.createObjectStore('rejected', { keyPath: 'seq', autoIncrement: true });
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  return dbPromise;
}

async function tx(store, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(store, mode);
    const r = fn(t.objectStore(store));
    t.oncomplete = () => resolve(r && r.result);
    t.onerror = () => reject(t.error);
  });
}

export const pending = () => tx('outbox', 'readonly', (s) => s.getAll());
export const rejected = () => tx('rejected', 'readonly', (s) => s.getAll());
export const dismiss = async (seq) => { await tx('rejected', 'readwrite', (s) => s.delete(seq)); changed(); };
export const kvSet = (key, value) => tx('kv', 'readwrite', (s) => s.put(value, key));

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function changed() {
  listeners.forEach((fn) => fn());
}

async function requestSync() {
  try {
    const reg = await navigator.serviceWorker.ready;
    if (reg.sync) await reg.sync.register('hep-outbox');
  } catch (e) { /* no Background Sync: the app replays on open and on 'online' */ }
}

/**
 * Queue a write and try to send it now.
 * kind: 'completion' | 'correction' | 'checkin' | 'questionnaire'; label: shown while waiting.
 * Returns {synced: bool, data?: server reply, rejected?: ApiError}.
 */
export async function enqueue(kind, url, body, label) {
  const seq = await tx('outbox', 'readwrite', (s) => s.add({ kind, url, body, label, created: Date.now() }));
  changed();
  requestSync();
  const results = await flush();
  return results.get(seq) || { synced: false };
}

let flushing = null;

/** Replay the queue in order; stops at the first network failure. Map seq -> result. */
export function flush() {
  if (!flushing) {
    const run = () => replay();
    flushing = (navigator.locks ? navigator.locks.request('hep-outbox', run) : run())
      .finally(() => { flushing = null; changed(); });
  }
  return flushing;
}

async function replay() {
  const results = new Map();
  for (const item of await pending()) {
    try {
      const { data } = await send('POST', item.url, item.body);
      await tx('outbox', 'readwrite', (s) => s.delete(item.seq));
      results.set(item.seq, { synced: true, data });
    } catch (err) {
      if (isNetworkError(err) || !(err instanceof ApiError)) break;
      if (err.status === 401 || err.status === 403 || err.status === 408 || err.status === 429 || err.status >= 500) break;
      // 409 (same id, other body), 422 or 404: retrying cannot help; tell the patient instead.
      await tx('rejected', 'readwrite', (s) => s.add({ item, status: err.status, detail: err.message, at: Date.now() }));
      await tx('outbox', 'readwrite', (s) => s.delete(item.seq));
      results.set(item.seq, { synced: false, rejected: err });
    }
  }
  return results;
}
