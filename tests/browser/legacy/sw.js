/* hep service worker: offline app shell, cached API reads, media, outbox replay, push.
 * Rendered by hep.patient: VERSION is a hash of every precached file, so any change to the
 * shell installs a new worker and a new cache. POST, PUT, PATCH and DELETE are never cached. */
'use strict';
const VERSION = '{{ version }}';
const SHELL_CACHE = 'hep-shell-' + VERSION;
const API_CACHE = 'hep-api';
const MEDIA_CACHE = 'hep-media';
const SHELL = {{ shell|tojson }};
const API_READS = ['/api/v1/me', '/api/v1/today', '/api/v1/progress', '/api/v1/completions',
  '/api/v1/reminders', '/api/v1/questionnaires/', '/api/v1/push/key'];
const NETWORK_TIMEOUT_MS = 6000;

// Install: precache the app shell (revalidated, so unchanged files cost a 304).
self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll(SHELL.map((url) => new Request(url, { cache: 'no-cache', credentials: 'same-origin' })));
    await self.skipWaiting();
  })());
});

// Activate: drop the shell caches of older versions and take control of open pages.
self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('hep-shell-') && name !== SHELL_CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// Fetch: only GETs of our own origin are handled; everything else goes to the network as is.
self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && url.pathname === '/app/') {
    event.respondWith(shellFirst('/app/', req));
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(shellFirst(url.pathname, req));
  } else if (url.pathname.startsWith('/i18n/')) {
    event.respondWith(catalog(req));
  } else if (API_READS.some((p) => url.pathname === p || (p.endsWith('/') && url.pathname.startsWith(p)))) {
    event.respondWith(networkFirst(req));
  } else if (url.pathname.startsWith('/static/media/')) {
    event.respondWith(mediaFirst(req));
  }
});

async function shellFirst(key, req) {
  const cached = await caches.match(key, { cacheName: SHELL_CACHE });
  return cached || fetch(req);
}

// Message catalogs: the saved copy at once, refreshed in the background for next time.
async function catalog(req) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(req);
  const fresh = fetch(req).then((res) => { if (res.ok) cache.put(req, res.clone()); return res; });
  if (cached) { fresh.catch(() => {}); return cached; }
  return fresh;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then((v) => { clearTimeout(timer); resolve(v); }, (e) => { clearTimeout(timer); reject(e); });
  });
}

// API reads: the network first; a saved copy (marked X-HEP-Offline) when there is none.
async function networkFirst(req) {
  const cache = await caches.open(API_CACHE);
  try {
    if (self.navigator.onLine === false) throw new Error('offline');
    const res = await withTimeout(fetch(req), NETWORK_TIMEOUT_MS);
    if (res.status === 200) await cache.put(req, res.clone());
    else if (res.status === 401 || res.status === 403) await cache.delete(req);
    return res;
  } catch (err) {
    const cached = await cache.match(req);
    if (!cached) throw err;
    const headers = new Headers(cached.headers);
    headers.set('X-HEP-Offline', '1');
    return new Response(await cached.blob(), { status: 200, headers });
  }
}

async function mediaFirst(req) {
  const cache = await caches.open(MEDIA_CACHE);
  const cached = await cache.match(req, { ignoreSearch: true });
  if (cached) return cached;
  const res = await fetch(req);
  if (res.ok) await cache.put(req, res.clone());
  return res;
}

async function cacheMedia(urls) {
  const cache = await caches.open(MEDIA_CACHE);
  for (const url of urls) {
    try {
      if (!(await cache.match(url, { ignoreSearch: true }))) await cache.add(url);
    } catch (err) { /* try again next time */ }
  }
}

// Messages from the page: cache the whole program's media (the page decides when: Wi-Fi).
self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'cache-media' && Array.isArray(data.urls)) event.waitUntil(cacheMedia(data.urls));
  if (data.type === 'replay') event.waitUntil(replayOutbox());
});

/* ---- outbox (the same IndexedDB layout as static/js/outbox.js) ---- */
function openDb() {
  return new Promise((resolve, reject) => {
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
}

function idb(db, store, mode, fn) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const r = fn(tx.objectStore(store));
    tx.oncomplete = () => resolve(r && r.result);
    tx.onerror = () => reject(tx.error);
  });
}

async function csrfToken() {
  const res = await fetch('/api/v1/me', { credentials: 'same-origin', cache: 'no-store' });
  return (await res.json()).csrf_token;
}

function isCsrfFailure(status, text) {
  return (status === 400 || status === 403) && /csrf/i.test(text);
}

async function replayOnce() {
  const db = await openDb();
  const items = await idb(db, 'outbox', 'readonly', (s) => s.getAll());
  if (!items.length) return 0;
  let token = await csrfToken();
  let done = 0;
  for (const item of items) {
    let res; let text;
    for (let attempt = 0; attempt < 2; attempt++) {
      res = await fetch(item.url, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token || '' },
        body: JSON.stringify(item.body),
      });
      text = await res.text();
      if (attempt === 0 && isCsrfFailure(res.status, text)) { token = await csrfToken(); continue; }
      break;
    }
    if (res.ok) {
      await idb(db, 'outbox', 'readwrite', (s) => s.delete(item.seq));
      done++;
    } else if (res.status === 401 || res.status === 408 || res.status === 429 || res.status >= 500 || isCsrfFailure(res.status, text)) {
      break; // keep it for later
    } else {
      let detail = '';
      try { detail = JSON.parse(text).detail || ''; } catch (e) { /* not JSON */ }
      await idb(db, 'rejected', 'readwrite', (s) => s.add({ item, status: res.status, detail, at: Date.now() }));
      await idb(db, 'outbox', 'readwrite', (s) => s.delete(item.seq));
    }
  }
  return done;
}

async function replayOutbox() {
  const run = () => replayOnce().catch(() => 0);
  const done = self.navigator.locks ? await self.navigator.locks.request('hep-outbox', run) : await run();
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'outbox-changed', done });
}

// Background Sync: the browser calls this when the network is back, even with the app closed.
self.addEventListener('sync', (event) => {
  if (event.tag === 'hep-outbox') event.waitUntil(replayOutbox());
});

/* ---- push reminders ---- */
async function labels() {
  try {
    const db = await openDb();
    return (await idb(db, 'kv', 'readonly', (s) => s.get('notification_labels'))) || {};
  } catch (e) { return {}; }
}

// Push: show the reminder; the payload never carries health details.
self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data && event.data.text() }; }
  event.waitUntil((async () => {
    const l = await labels();
    await self.registration.showNotification(data.title || l.title || 'Exercises', {
      body: data.body || '',
      tag: data.tag || 'hep-reminder',
      icon: '/static/icons/icon-192.png',
      badge: '/static/icons/icon-192.png',
      data: { url: data.url || '/app/#/today' },
      actions: [{ action: 'done', title: l.done || 'Open' }, { action: 'snooze', title: l.snooze || 'Later' }],
    });
  })());
});

// Notification tap: "snooze" asks the server to remind again later; anything else opens today.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || '/app/#/today', self.location.origin).href;
  event.waitUntil((async () => {
    if (event.action === 'snooze') {
      try {
        await fetch('/api/v1/reminders/snooze', {
          method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': await csrfToken() }, body: '{}',
        });
      } catch (e) { /* best effort */ }
      return;
    }
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of open) {
      if (new URL(client.url).pathname === '/app/' && 'focus' in client) {
        await client.focus();
        if ('navigate' in client) await client.navigate(target);
        return;
      }
    }
    await self.clients.openWindow(target);
  })());
});

// The push service replaced the subscription: register the new one with the server.
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const old = event.oldSubscription;
    const sub = event.newSubscription || (old && await self.registration.pushManager.subscribe(old.options));
    if (!sub) return;
    const token = await csrfToken();
    const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': token };
    await fetch('/api/v1/push/subscriptions', { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(sub.toJSON()) });
    if (old) await fetch('/api/v1/push/subscriptions', { method: 'DELETE', credentials: 'same-origin', headers, body: JSON.stringify({ endpoint: old.endpoint }) });
  })().catch(() => {}));
});
