// Patient app entry: service worker, session, language, navigation and the sync banner.
import * as api from './api.js';
import { _, pickLocale, loadLocale, rememberLocale, locale } from './i18n.js';
import * as outbox from './outbox.js';
import { route, start, current, go } from './router.js';
import { h, mount, problem, link, textSize, savedTextSize } from './ui.js';
import todayView from './views/today.js';
import exerciseView, { leavePlayer } from './views/exercise.js';
import logView from './views/log.js';
import checkinView, { urgentView } from './views/checkin.js';
import progressView from './views/progress.js';
import learnView from './views/learn.js';

const ICONS = {
  today: 'M4 6h16v14H4zM4 10h16M8 3v4M16 3v4M9 15l2 2 4-4',
  checkin: 'M12 3v2M12 19v2M3 12h2M19 12h2M6 6l1.5 1.5M16.5 16.5 18 18M6 18l1.5-1.5M16.5 7.5 18 6M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z',
  progress: 'M4 20h16M7 17v-6M12 17V6M17 17v-9',
  learn: 'M4 5h6a2 2 0 0 1 2 2v13a2 2 0 0 0-2-2H4zM20 5h-6a2 2 0 0 0-2 2v13a2 2 0 0 1 2-2h6z',
  settings: 'M4 7h10M18 7h2M4 17h2M10 17h10M14 5v4M6 15v4',
  messages: 'M4 5h16v11H10l-5 4v-4H4z',
};

function tabs() {
  const items = [['today', _('Today')], ['checkin', _('Check-in')], ['progress', _('Progress')], ['learn', _('Learn')],
    ['messages', _('Messages')], ['settings', _('Settings')]];
  const nav = document.getElementById('tabs');
  nav.setAttribute('aria-label', _('Main'));
  nav.replaceChildren(h('ul', {}, items.map(([key, label]) => h('li', {},
    h('a', { href: `#/${key}`, 'data-tab': key },
      h('span', { class: 'icon', 'aria-hidden': 'true', html: `<svg viewBox="0 0 24 24" focusable="false"><path d="${ICONS[key]}"/></svg>` }),
      h('span', {}, label),
      key === 'messages' ? [h('span', { class: 'tab-badge', id: 'unread-badge', 'aria-hidden': 'true', hidden: true }),
        h('span', { class: 'sr-only', id: 'unread-text' })] : null)))));
  nav.hidden = false;
  showUnread(unread);
}

/** The therapist's messages not read yet: a number on the Messages tab, said with the tab's name. */
let unread = 0;
function showUnread(n) {
  unread = Number(n) || 0;
  const badge = document.getElementById('unread-badge');
  if (!badge) return;
  badge.hidden = unread === 0;
  badge.textContent = unread ? String(unread) : '';
  document.getElementById('unread-text').textContent = !unread ? ''
    : unread === 1 ? _('1 unread message') : _('{n} unread messages', { n: unread });
}

/** Ask the server for the count again (after a view, on coming back online or to the app). */
function refreshUnread() {
  if (!navigator.onLine || current()?.path === '/messages') return;
  api.get('/api/v1/me').then((body) => { if (body && body.user) showUnread(body.user.unread_messages); }).catch(() => {});
}

function markTab(path) {
  const key = (path || '').split('/')[1];
  const tab = { exercise: 'today', log: 'today', exposure: 'today', urgent: 'checkin', questionnaire: 'progress' }[key] || key;
  document.querySelectorAll('#tabs a').forEach((a) => {
    if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

/** What the views read, so the service worker has a copy for offline use. */
const WARM = ['/api/v1/me', '/api/v1/today', '/api/v1/completions?days=2', '/api/v1/progress?days=28', '/api/v1/reminders'];

let rendering = 0;
let completed = 0;
async function render(r) {
  leavePlayer();
  if (!r) return go('#/today');
  const mine = ++rendering;
  markTab(r.path);
  try {
    await r.view(r.params, r.query);
  } catch (err) {
    if (mine !== rendering) return;
    if (err instanceof api.ApiError && err.status === 401) return signedOut(false);
    mount(_('Could not load this page'), problem(err, api.isNetworkError(err)), link('#/today', _('Back to today')));
  } finally {
    // A slow view that finished after a newer one has just mounted over it: show the newer again.
    const clobbered = mine !== rendering && completed === rendering;
    completed = Math.max(completed, mine);
    if (clobbered) rerender();
    if (mine === rendering) refreshUnread();
  }
}

const rerender = () => render(current());

async function status() {
  const el = document.getElementById('status');
  const [waiting, failed] = await Promise.all([outbox.pending(), outbox.rejected()]);
  const parts = [];
  if (!navigator.onLine) parts.push(h('p', { class: 'offline' }, _('You are offline. What you log is saved on this phone.')));
  if (waiting.length) {
    parts.push(h('p', { class: 'waiting' },
      waiting.length === 1 ? _('1 entry waiting to be sent') : _('{n} entries waiting to be sent', { n: waiting.length }), ' ',
      navigator.onLine ? h('button', { type: 'button', class: 'btn small', onclick: () => outbox.flush() }, _('Send now')) : null));
  }
  if (failed.length) parts.push(h('p', { class: 'failed' }, _('{n} entries could not be saved.', { n: failed.length }), ' ', link('#/settings', _('Details'), 'textlink')));
  el.replaceChildren(...parts);
  el.classList.toggle('shown', parts.length > 0);
}

async function replay() {
  const results = await outbox.flush();
  if (results.size && ['/today', '/progress', '/settings', '/exposure', '/messages'].includes(current()?.path)) rerender();
}

/** After the catalog is loaded: the API calls name the language, and the shell's own text
 * (precached in whatever language it was first fetched in) is said in it too. */
function useLocale() {
  api.setLocale(locale());
  const skip = document.querySelector('a.skip');
  if (skip) skip.textContent = _('Skip to content');
}

async function changeLanguage(lang) {
  rememberLocale(lang);
  await loadLocale(lang);
  useLocale();
  WARM.forEach(api.warm); // offline copies (exercise names, cards) in the new language
  await saveNotificationLabels();
  api.send('PATCH', '/api/v1/me', { locale: lang }).catch(() => {}); // this phone remembers it anyway
  tabs();
  status();
  rerender();
}

function saveNotificationLabels() {
  return outbox.kvSet('notification_labels', { title: _('My exercises'), done: _('Start now'), snooze: _('Later') }).catch(() => {});
}

async function signOut() {
  try { await api.send('POST', '/api/v1/auth/logout'); } catch (e) { /* still clear this phone */ }
  if (window.caches) await caches.delete('hep-api');
  indexedDB.deleteDatabase('hep');
  location.replace('/app/');
}

function signedOut(offline) {
  document.getElementById('tabs').hidden = true;
  mount(offline ? _('You are offline') : _('Open your invitation link'),
    h('p', { class: 'lead' }, offline
      ? _('Connect to the internet once to load your exercises. After that they work offline.')
      : _('To use this app, open the link your therapist sent you (by email, text message or QR code) on this phone.')),
    offline ? h('button', { type: 'button', class: 'btn primary', onclick: () => location.reload() }, _('Try again')) : null);
}

/** Settings is imported when first opened (it and push.js stay out of the first load). */
async function settingsView(...args) {
  const settings = await import('./lazy/settings.js');
  settings.setHooks({ changeLanguage, signOut, rerender });
  return settings.default(...args);
}

async function boot() {
  textSize(savedTextSize());
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {});
    // First visit: the worker took over after these were loaded; load them again so it keeps copies.
    navigator.serviceWorker.addEventListener('controllerchange', () => {
      for (const url of [...WARM, `/i18n/${locale()}.json`]) api.warm(url);
    });
    navigator.serviceWorker.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'outbox-changed') { status(); if (e.data.done && ['/today', '/messages'].includes(current()?.path)) rerender(); }
    });
  }
  let who = null;
  let offline = false;
  api.setLocale(pickLocale()); // this phone's language until the account's is known (offline copies are kept per language)
  try { who = await api.me(); } catch (err) { offline = api.isNetworkError(err); }
  await loadLocale(pickLocale(who && who.user && who.user.locale));
  useLocale();
  if (!who || !who.user) return signedOut(offline);
  if (who.user.role !== 'patient') {
    return mount(_('This app is for patients'), h('p', {}, _('You are signed in as staff. Use the therapist workspace instead.')), link('/', _('Open the workspace'), 'btn primary'));
  }
  if (!localStorage.getItem('hep_locale') && who.user.locale) rememberLocale(locale());
  saveNotificationLabels();
  route('/today', todayView);
  route('/exercise/:id', exerciseView);
  route('/log/:id', logView);
  route('/checkin', checkinView);
  route('/urgent', urgentView);
  route('/progress', progressView);
  route('/learn', learnView);
  // Loaded when first opened (lazy/ is left out of the shell); kept offline once fetched.
  route('/questionnaire/:code', (...args) => import('./lazy/questionnaire.js').then((m) => m.default(...args)));
  route('/settings', settingsView);
  // Graded exposure: loaded on first use, not with the app (lazy/ is left out of the shell).
  const exposure = (params) => import('./lazy/exposure.js').then((m) => m.default(params));
  route('/exposure', exposure);
  route('/exposure/:id', exposure);
  // Messages with the therapist: loaded on first use too; it clears the tab's badge once read.
  route('/messages', () => import('./lazy/messages.js').then((m) => { m.setHooks({ unread: showUnread }); return m.default(); }));
  unread = who.user.unread_messages || 0;
  tabs();
  mount.focus = false; // the first view keeps focus where the browser put it
  outbox.onChange(status);
  window.addEventListener('online', () => { status(); replay(); });
  window.addEventListener('offline', status);
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') refreshUnread(); });
  start(render);
  status();
  replay();
}

boot();
