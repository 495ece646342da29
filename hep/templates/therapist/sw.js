/* hep staff service worker (scope /t/): shows "a patient needs your attention" notices.
 * Served by hep.therapist at /t/sw.js. It caches nothing: staff browsers keep no patient data.
 * The push payload is the Declarative Web Push JSON the server sends (title, body, url, tag,
 * and the same in "notification"); it never carries a name or health details. */
'use strict';
const FALLBACK_TITLE = {{ _("A patient needs your attention")|tojson }};
const HOME = '/t/patients';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// Only links into the therapist pages of this origin are opened.
function safeTarget(url) {
  try {
    const target = new URL(url || HOME, self.location.origin);
    if (target.origin === self.location.origin && target.pathname.startsWith('/t/')) return target.href;
  } catch (e) { /* fall through */ }
  return new URL(HOME, self.location.origin).href;
}

self.addEventListener('push', (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  const declared = data.notification || {};
  const tag = data.tag || declared.tag || 'hep-alert';
  event.waitUntil(self.registration.showNotification(data.title || declared.title || FALLBACK_TITLE, {
    body: data.body || declared.body || '',
    tag,
    renotify: true,
    requireInteraction: true,
    lang: declared.lang || '',
    icon: '/static/icons/icon-192.png',
    badge: '/static/icons/icon-192.png',
    data: { url: data.url || declared.navigate || HOME },
  }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = safeTarget(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    for (const client of open) {
      if (new URL(client.url).pathname.startsWith('/t/') && 'focus' in client) {
        try {
          await client.focus();
          if ('navigate' in client) await client.navigate(target);  // only for pages this worker controls
          return;
        } catch (e) { break; }
      }
    }
    await self.clients.openWindow(target);
  })());
});

// The push service replaced the subscription: register the new one (same endpoint API).
self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil((async () => {
    const old = event.oldSubscription;
    const sub = event.newSubscription || (old && await self.registration.pushManager.subscribe(old.options));
    if (!sub) return;
    // Marked as background: the worker's requests do not keep an idle session alive.
    const background = { 'X-HEP-Background': '1' };
    const me = await (await fetch('/api/v1/me', { credentials: 'same-origin', cache: 'no-store', headers: background })).json();
    const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token, ...background };
    await fetch('/api/v1/push/subscriptions', { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(sub.toJSON()) });
    if (old) await fetch('/api/v1/push/subscriptions', { method: 'DELETE', credentials: 'same-origin', headers, body: JSON.stringify({ endpoint: old.endpoint }) });
  })().catch(() => {}));
});
