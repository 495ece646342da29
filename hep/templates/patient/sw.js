/* hep service worker: offline app shell, cached API reads, media, outbox replay, push.
 * Rendered by hep.patient: VERSION is a hash of every precached file, so any change to the
 * shell installs a new worker and a new cache. POST, PUT, PATCH and DELETE are never cached.
 *
 * A classic worker on purpose: it loads the very outbox core the page imports as a module
 * (static/js/outbox-core.js is written to be both), so page and worker replay by one rule and
 * one IndexedDB layout. Why not a module worker: see docs/pwa.md. importScripts runs while
 * the worker installs and the browser keeps the file with the worker, so it starts offline. */
'use strict';
importScripts('{{ core_url }}');
const { replay, doneCount, kvGet, kvSet, send, SYNC_TAG } = self.hepOutboxCore;
const VERSION = '{{ version }}';
const SHELL_CACHE = 'hep-shell-' + VERSION;
const API_CACHE = 'hep-api';
const MEDIA_CACHE = 'hep-media';
const SHELL = {{ shell|tojson }};
// Screens the app loads on first use: kept in this version's shell cache once fetched.
const LAZY = {{ lazy_prefix|tojson }};
const API_READS = ['/api/v1/me', '/api/v1/today', '/api/v1/progress', '/api/v1/completions',
  '/api/v1/reminders', '/api/v1/questionnaires/', '/api/v1/push/key', '/api/v1/hierarchy', '/api/v1/messages'];
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
  } else if (url.pathname.startsWith(LAZY)) {
    event.respondWith(lazyFirst(url.pathname, req));
  } else if (url.pathname.startsWith('/i18n/')) {
    event.respondWith(catalog(req));
  } else if (API_READS.some((p) => url.pathname === p || (p.endsWith('/') && url.pathname.startsWith(p)))) {
    event.respondWith(networkFirst(req));
  } else if (url.pathname.startsWith('/static/media/')) {
    event.respondWith(mediaFirst(req));
  } else if (url.pathname.startsWith('/api/v1/media/')) {
    event.respondWith(savedFirst(req));
  }
});

async function shellFirst(key, req) {
  const cached = await caches.match(key, { cacheName: SHELL_CACHE });
  return cached || fetch(req);
}

// A lazily loaded screen: the copy of this version once there is one, else the network (kept).
async function lazyFirst(key, req) {
  const cache = await caches.open(SHELL_CACHE);
  const cached = await cache.match(key);
  if (cached) return cached;
  const res = await fetch(req);
  if (res.ok) await cache.put(key, res.clone());
  return res;
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

// API answers are in the language the page names (X-HEP-Locale): one saved copy per language,
// so a phone switched to Spanish and then offline shows Spanish exercise names, not English.
function savedAs(req) {
  const lang = req.headers.get('X-HEP-Locale');
  if (!lang) return req;
  const url = new URL(req.url);
  url.searchParams.set('hl', lang);
  return url.href;
}

// API reads: the network first; a saved copy (marked X-HEP-Offline) when there is none.
async function networkFirst(req) {
  const cache = await caches.open(API_CACHE);
  const key = savedAs(req);
  try {
    if (self.navigator.onLine === false) throw new Error('offline');
    const res = await withTimeout(fetch(req), NETWORK_TIMEOUT_MS);
    if (res.status === 200) await cache.put(key, res.clone());
    else if (res.status === 401 || res.status === 403) await cache.delete(key);
    return res;
  } catch (err) {
    // A copy saved before copies were kept per language (an upgraded phone) still beats none.
    const cached = (await cache.match(key)) || (key !== req ? await cache.match(req) : undefined);
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
  if (res.status === 200) await cache.put(req, res.clone());  // a 206 (a range) cannot be stored
  return res;
}

/** A clinic's uploaded picture or video: the copy "Save for offline" stored, else the network
 * (not stored by itself: videos are large, so they are kept only when the patient asks). A
 * video's range request gets the whole stored file, which the player accepts. */
async function savedFirst(req) {
  const cached = await caches.match(req.url, { cacheName: MEDIA_CACHE });
  return cached || fetch(req);
}

/** "Save for offline": store each URL not stored yet; answers how many are stored. */
async function saveForOffline(urls) {
  const cache = await caches.open(MEDIA_CACHE);
  let saved = 0;
  for (const url of urls) {
    try {
      if (!(await cache.match(url, { ignoreSearch: true }))) await cache.add(new Request(url, { credentials: 'same-origin' }));
      saved += 1;
    } catch (err) { /* reported as not saved */ }
  }
  return { saved, total: urls.length };
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
  if (data.type === 'replay') event.waitUntil(replayOutbox().catch(() => {}));
  if (data.type === 'save-offline' && Array.isArray(data.urls) && event.ports[0]) {
    event.waitUntil(saveForOffline(data.urls).then((result) => event.ports[0].postMessage(result)));
  }
});

/* ---- outbox: the rule and the stores are in static/js/outbox-core.js ---- */
async function notifyPages(done) {
  for (const client of await self.clients.matchAll({ type: 'window' })) client.postMessage({ type: 'outbox-changed', done });
}

/** Replay under the core's lock and tell open pages; resolves with the entry it stopped at (or null). */
async function replayOutbox() {
  let done = 0;
  try {
    const { results, kept } = await replay();
    done = doneCount(results);
    return kept;
  } finally {
    await notifyPages(done);
  }
}

// Background Sync: runs when the network is back, even with the app closed; a kept entry fails it so the browser retries.
self.addEventListener('sync', (event) => {
  if (event.tag !== SYNC_TAG) return;
  event.waitUntil(replayOutbox().then((kept) => {
    if (kept) throw new Error('outbox: entries kept for a later try');
  }));
});

/* ---- push reminders ---- */
async function labels() {
  try {
    return (await kvGet('notification_labels')) || {};
  } catch (e) { return {}; }
}

// Push: show the reminder; the payload never carries health details.
self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data && event.data.text() }; }
  event.waitUntil((async () => {
    const tag = data.tag || 'hep-reminder';
    const again = await alreadyShown(data.id);
    // A message sent again (its sender died before recording that the push service took
    // it) is shown once: replaced in silence while the first copy is still on screen, and
    // dropped once the patient has dismissed or opened it.
    if (again && !(await self.registration.getNotifications({ tag })).length) return;
    const l = await labels();
    await self.registration.showNotification(data.title || l.title || 'Exercises', {
      body: data.body || '',
      tag,
      silent: again,
      icon: '/static/icons/icon-192.png',
      badge: '/static/icons/icon-192.png',
      data: { url: data.url || '/app/#/today' },
      // "Later" snoozes a reminder; a message notice only opens the thread.
      actions: tag === 'hep-reminder'
        ? [{ action: 'done', title: l.done || 'Open' }, { action: 'snooze', title: l.snooze || 'Later' }] : [],
    });
  })());
});

// Whether the message ``id`` was shown before; remembers it if not (the last SHOWN_IDS ids).
const SHOWN_IDS = 50;
async function alreadyShown(id) {
  if (!id) return false;
  try {
    const shown = (await kvGet('shown_push_ids')) || [];
    if (shown.includes(id)) return true;
    await kvSet('shown_push_ids', [id, ...shown].slice(0, SHOWN_IDS));
  } catch (e) { /* no storage: show it */ }
  return false;
}

// Notification tap: "snooze" asks the server to remind again later; anything else opens today.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || '/app/#/today', self.location.origin).href;
  event.waitUntil((async () => {
    if (event.action === 'snooze') {
      try { await send('POST', '/api/v1/reminders/snooze', {}); } catch (e) { /* best effort */ }
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
    await send('POST', '/api/v1/push/subscriptions', sub.toJSON());
    if (old) await send('DELETE', '/api/v1/push/subscriptions', { endpoint: old.endpoint });
  })().catch(() => {}));
});
