/* Offline outbox core: the one IndexedDB layout, the one way to send a write (CSRF token
 * included) and the one replay loop, shared by the page and the service worker.
 *
 * HOW IT IS LOADED. The page imports this file as an ES module (`import './outbox-core.js'`
 * in api.js and outbox.js); the classic service worker loads the very same file with
 * `importScripts` (templates/patient/sw.js). So the file has no `import` or `export`: a file
 * without them is valid both as a classic script and as a module. It puts its API on
 * `globalThis.hepOutboxCore` and nothing else on the global scope. It is written as strict
 * code because a module always is.
 *
 * LAYOUT (unchanged since the first release, so installed phones keep what they queued):
 *   database 'hep', version 1
 *   outbox    key 'seq' (auto)  {kind, url, body, label, created}   writes waiting to be sent
 *   rejected  key 'seq' (auto)  {item, status, detail, problem, at} writes the server refused
 *   kv        out-of-line keys  small settings the service worker needs (notification labels)
 *
 * THE RULE. Entries are POSTed oldest first; each server answer decides what happens:
 *
 *   DONE       2xx, including 200 for an identical replay (same client id, same body).
 *              The server has the record, so the entry leaves the outbox.
 *
 *   KEEP       No answer at all (offline, DNS, timeout), 5xx, 408, 429, 401 (signed out: it
 *              waits for the patient to sign in again), a CSRF failure (missing, expired or
 *              foreign token) that survives one retry with a fresh token, and anything
 *              unexpected (a non-HTTP error, a status below 400). These may succeed later.
 *              The entry stays and the loop STOPS: later entries may depend on it (a
 *              correction needs its completion) and the server would give the same answer
 *              now. The next try comes on 'online', on app open, on "Send now" or from
 *              Background Sync.
 *
 *   SET ASIDE  Every other 4xx: 409 (the id was already used for a different record), 422
 *              (invalid fields), 404 (e.g. the completion to correct is gone), 403 that is
 *              not a CSRF failure (not allowed for this patient), 400, 410, 413, ... Sending
 *              the same request again cannot succeed. The entry moves, whole, to 'rejected'
 *              with the status and the problem detail; the patient sees it (status bar and
 *              Settings) and decides. The loop goes on with the next entry.
 *
 * An entry leaves 'outbox' only when it is DONE, or in the same transaction that copies it
 * to 'rejected', so a completion is never silently lost. Replays hold the Web Lock
 * 'hep-outbox', so the page and the service worker never send the queue at the same time;
 * the server's replay rules (hep/replay.py) make a repeat after a lost answer harmless.
 */
(function () {
  'use strict';

  const DB_NAME = 'hep';
  const DB_VERSION = 1;
  const LOCK = 'hep-outbox';
  const SYNC_TAG = 'hep-outbox';
  const DONE = 'done';
  const KEEP = 'keep';
  const SET_ASIDE = 'set-aside';

  /* ---- sending: problem+json errors and the CSRF token ---- */

  /** Every message of a 422's ``errors`` (field -> messages, nested for list items), in order. */
  function fieldMessages(errors) {
    if (!errors || typeof errors !== 'object') return [];
    return Object.values(errors).flatMap((v) => (typeof v === 'string' ? [v] : fieldMessages(v)));
  }

  /** A refused request; its message names what to fix (the field messages of a 422, which the
   * server words for the person, or else the problem's detail). */
  class ApiError extends Error {
    constructor(status, problem) {
      const named = fieldMessages(problem && problem.errors);
      super(named.length ? [...new Set(named)].join(' ') : ((problem && (problem.detail || problem.title)) || `HTTP ${status}`));
      this.status = status;
      this.problem = problem || {};
    }
  }

  let csrf = null;
  let appLocale = null;

  /** The language the page shows, sent as X-HEP-Locale so answers and errors match it. */
  function setLocale(lang) { appLocale = lang || null; }
  function localeHeaders() { return appLocale ? { 'X-HEP-Locale': appLocale } : {}; }

  /** Remember the token from a /api/v1/me answer (the page reads it on start). */
  function setCsrfToken(token) {
    if (token) csrf = token;
  }

  async function readJson(res) {
    const type = res.headers.get('Content-Type') || '';
    return type.includes('json') ? res.json().catch(() => null) : null;
  }

  /** GET /api/v1/me past every cache; remembers its CSRF token. Throws ApiError when not 2xx. */
  async function freshSession() {
    const res = await fetch('/api/v1/me', { credentials: 'same-origin', cache: 'no-store' });
    const body = await readJson(res);
    if (!res.ok) throw new ApiError(res.status, body);
    setCsrfToken(body && body.csrf_token);
    return body;
  }

  /** A 400/403 about the CSRF token (missing, expired, from another session), not about the request. */
  function isCsrfFailure(err) {
    return (err.status === 400 || err.status === 403) && /csrf/i.test(JSON.stringify(err.problem));
  }

  async function sendOnce(method, path, body) {
    const res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf || '', ...localeHeaders() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await readJson(res);
    if (!res.ok) throw new ApiError(res.status, data);
    return { status: res.status, data };
  }

  /** POST/PUT/PATCH/DELETE with the CSRF token; on a CSRF failure, one retry with a fresh token. */
  async function send(method, path, body) {
    if (!csrf) await freshSession();
    try {
      return await sendOnce(method, path, body);
    } catch (err) {
      if (!(err instanceof ApiError && isCsrfFailure(err))) throw err;
      await freshSession();
      return sendOnce(method, path, body);
    }
  }

  /* ---- schema ---- */

  let dbPromise = null;

  function upgrade(db) {
    if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
    if (!db.objectStoreNames.contains('rejected')) db.createObjectStore('rejected', { keyPath: 'seq', autoIncrement: true });
    if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
  }

  function forgetOnClose(db) {
    // Sign-out deletes the database: let go at once so the deletion is not blocked by us.
    db.onversionchange = () => { db.close(); dbPromise = null; };
    // The browser closed it (storage cleared): open afresh next time.
    db.onclose = () => { dbPromise = null; };
    return db;
  }

  /** The shared connection (one per page or worker), opened and upgraded on first use. */
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const r = indexedDB.open(DB_NAME, DB_VERSION);
        r.onupgradeneeded = () => upgrade(r.result);
        r.onsuccess = () => resolve(forgetOnClose(r.result));
        r.onerror = () => reject(r.error);
      });
      dbPromise.catch(() => { dbPromise = null; }); // a failed open is tried again next time
    }
    return dbPromise;
  }

  /* ---- store helpers ---- */

  /** Run fn(store) in one transaction; resolves with the request's result once committed. */
  async function tx(store, mode, fn) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const t = db.transaction(store, mode);
      const r = fn(t.objectStore(store));
      t.oncomplete = () => resolve(r && r.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  const pending = () => tx('outbox', 'readonly', (s) => s.getAll());
  const rejected = () => tx('rejected', 'readonly', (s) => s.getAll());
  const add = (entry) => tx('outbox', 'readwrite', (s) => s.add(entry)); // resolves with its seq
  const remove = (seq) => tx('outbox', 'readwrite', (s) => s.delete(seq));
  const dismiss = (seq) => tx('rejected', 'readwrite', (s) => s.delete(seq)); // the patient has read why
  const kvGet = (key) => tx('kv', 'readonly', (s) => s.get(key));
  const kvSet = (key, value) => tx('kv', 'readwrite', (s) => s.put(value, key));

  /** Move an entry to 'rejected' with the server's reason, in one transaction so it is never in neither. */
  async function setAside(item, err) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const t = db.transaction(['outbox', 'rejected'], 'readwrite');
      t.objectStore('rejected').add({ item, status: err.status, detail: err.message, problem: err.problem, at: Date.now() });
      t.objectStore('outbox').delete(item.seq);
      t.oncomplete = () => resolve();
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  /* ---- the rule ---- */

  /** KEEP or SET_ASIDE for a failed send (see the rule at the top). */
  function verdict(err) {
    if (!(err instanceof ApiError)) return KEEP; // never reached the server, or a bug: keep it
    const s = err.status;
    if (s < 400 || s >= 500 || s === 401 || s === 408 || s === 429) return KEEP;
    if (isCsrfFailure(err)) return KEEP; // the token, not the record: a fresh session will do
    return SET_ASIDE;
  }

  /** Send one entry and file it by the rule; returns {verdict, synced, data?, rejected?, error?}. */
  async function replayOne(item) {
    try {
      const { data } = await send('POST', item.url, item.body);
      await remove(item.seq);
      return { verdict: DONE, synced: true, data };
    } catch (err) {
      const v = verdict(err);
      if (v === KEEP) return { verdict: KEEP, synced: false, error: err };
      await setAside(item, err);
      return { verdict: SET_ASIDE, synced: false, rejected: err };
    }
  }

  async function replayAll() {
    const results = new Map();
    for (const item of await pending()) {
      const result = await replayOne(item);
      if (result.verdict === KEEP) return { results, kept: item };
      results.set(item.seq, result);
    }
    return { results, kept: null };
  }

  /**
   * Replay the whole queue in order, under the 'hep-outbox' lock.
   * Resolves with {results: Map seq -> DONE or SET_ASIDE result, kept: the entry the loop
   * stopped at, or null when the outbox is empty now}.
   */
  function replay() {
    const locks = globalThis.navigator && globalThis.navigator.locks;
    return locks ? locks.request(LOCK, replayAll) : replayAll();
  }

  /** How many entries of a replay reached the server. */
  function doneCount(results) {
    let n = 0;
    for (const r of results.values()) if (r.verdict === DONE) n++;
    return n;
  }

  globalThis.hepOutboxCore = Object.freeze({
    DB_NAME, DB_VERSION, LOCK, SYNC_TAG, DONE, KEEP, SET_ASIDE,
    ApiError, isCsrfFailure, setCsrfToken, freshSession, send, setLocale, localeHeaders,
    openDb, pending, rejected, add, remove, dismiss, kvGet, kvSet, setAside,
    verdict, replay, doneCount,
  });
}());
