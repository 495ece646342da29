// "Notify me in this browser" on the therapist pages: registers the staff service worker
// (/t/sw.js, scope /t/), asks for permission only after the tap, subscribes with the VAPID
// key and registers the subscription with the server. Texts come translated in data-*.
'use strict';

const button = document.getElementById('notify-me');
const status = document.getElementById('notify-status');

function keyBytes(base64url) {
  const b64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

function say(text) { status.textContent = text || ''; }

function show(on) {
  button.dataset.state = on ? 'on' : 'off';
  button.textContent = on ? button.dataset.labelOff : button.dataset.labelOn;
  button.setAttribute('aria-pressed', on ? 'true' : 'false');
}

/** The staff worker's registration, once its worker is active. */
async function registration() {
  const reg = await navigator.serviceWorker.register('/t/sw.js', { scope: '/t/' });
  if (reg.active) return reg;
  const worker = reg.installing || reg.waiting;
  await new Promise((resolve) => {
    if (!worker || worker.state === 'activated') { resolve(); return; }
    worker.addEventListener('statechange', () => { if (worker.state === 'activated') resolve(); });
  });
  return reg;
}

async function api(method, url, body) {
  const res = await fetch(url, {
    method, credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': button.dataset.csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status}`);
  return res;
}

async function turnOn(reg) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') { say(button.dataset.blocked); return; }
  const key = (await (await fetch('/api/v1/push/key', { credentials: 'same-origin' })).json()).public_key;
  let sub = await reg.pushManager.getSubscription();
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
  await api('POST', '/api/v1/push/subscriptions', sub.toJSON());
  show(true);
  say(button.dataset.enabled);
}

async function turnOff(reg) {
  const sub = await reg.pushManager.getSubscription();
  if (sub) {
    await api('DELETE', '/api/v1/push/subscriptions', { endpoint: sub.endpoint });
    await sub.unsubscribe();
  }
  show(false);
  say(button.dataset.disabled);
}

async function start() {
  if (!button || !status) return;
  // Browsers that cannot do web push (or pages not served securely) keep the button hidden.
  if (!('serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window)) return;
  const reg = await registration();
  const existing = await reg.pushManager.getSubscription();
  show(Boolean(existing) && Notification.permission === 'granted');
  if (Notification.permission === 'denied') say(button.dataset.blocked);
  button.hidden = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    say('');
    try {
      if (button.dataset.state === 'on') await turnOff(reg);
      else await turnOn(reg);
    } catch (err) {
      say(button.dataset.failed);
    } finally {
      button.disabled = false;
    }
  });
}

start().catch(() => { if (status) say(button && button.dataset.failed); });
