// Settings: language, reminders, notifications, offline pictures, waiting entries, my data, sign out.
import { get, send, isNetworkError, localDay } from '../api.js';
import { _, locale, LOCALES, LANGUAGE_NAMES, weekday } from '../i18n.js';
import { pending, rejected, dismiss, flush } from '../outbox.js';
import * as push from '../push.js';
import { h, mount, say } from '../ui.js';
import { loadToday, cacheMedia } from './today.js';

let hooks = {};
/** app.js passes changeLanguage(lang) and signOut(). */
export function setHooks(value) { hooks = value; }

function languageSection() {
  const select = h('select', { id: 'f-lang', name: 'lang' },
    LOCALES.map((l) => h('option', { value: l, lang: l, selected: l === locale() }, LANGUAGE_NAMES[l])));
  select.addEventListener('change', () => hooks.changeLanguage(select.value));
  return h('section', { class: 'card' }, h('h2', {}, _('Language')), h('div', { class: 'field' }, h('label', { for: 'f-lang' }, _('Language of the app')), select));
}

function timeRow(value, remove) {
  const row = h('li', { class: 'time-row' },
    h('input', { type: 'time', name: 'time', value, required: true, 'aria-label': _('Reminder time') }),
    h('button', { type: 'button', class: 'btn', onclick: () => { row.remove(); remove(); } }, _('Remove')));
  return row;
}

async function remindersSection() {
  let r;
  try { r = await get('/api/v1/reminders'); } catch (e) {
    return h('section', { class: 'card' }, h('h2', {}, _('Reminders')), h('p', {}, _('Reminder settings need a connection.')));
  }
  const times = h('ul', { class: 'plain' });
  const addBtn = h('button', { type: 'button', class: 'btn' }, _('Add a time'));
  const refresh = () => { addBtn.hidden = times.children.length >= 4; };
  (r.times || []).forEach((t) => times.append(timeRow(t, refresh)));
  addBtn.addEventListener('click', () => { times.append(timeRow('18:00', refresh)); refresh(); });
  refresh();
  const days = new Set(r.days || [1, 2, 3, 4, 5, 6, 7]);
  const form = h('form', { class: 'form' },
    h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'enabled', checked: !!r.enabled }), h('span', {}, _('Remind me to do my exercises'))),
    h('fieldset', { class: 'field' }, h('legend', {}, _('At these times')), times, addBtn),
    h('fieldset', { class: 'field days' }, h('legend', {}, _('On these days')),
      [1, 2, 3, 4, 5, 6, 7].map((d) => h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'day', value: d, checked: days.has(d) }), h('span', {}, weekday(d))))),
    h('fieldset', { class: 'field' }, h('legend', {}, _('Quiet hours (no reminders)')),
      h('label', { for: 'f-qs' }, _('From')), h('input', { type: 'time', id: 'f-qs', name: 'quiet_start', value: r.quiet_start || '' }),
      h('label', { for: 'f-qe' }, _('Until')), h('input', { type: 'time', id: 'f-qe', name: 'quiet_end', value: r.quiet_end || '' })),
    h('button', { type: 'submit', class: 'btn primary' }, _('Save reminders')));
  // The phone's zone may differ from the patient's (travel, a phone set to UTC): ask before
  // moving the patient, whose days and reminders all follow their zone.
  const phoneZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const askZone = phoneZone && phoneZone !== r.timezone;
  const zoneQuestion = h('div', { class: 'card callout', role: 'group', 'aria-labelledby': 'zone-q', hidden: true },
    h('p', { id: 'zone-q' }, _('Use {zone}?', { zone: phoneZone })),
    h('p', { class: 'hint' }, _('This phone is set to {phone}; your reminders and days follow {zone}.', { phone: phoneZone, zone: r.timezone })),
    h('button', { type: 'button', class: 'btn primary', onclick: () => save(phoneZone) }, _('Yes, use {zone}', { zone: phoneZone })),
    h('button', { type: 'button', class: 'btn', onclick: () => save(null) }, _('No, keep {zone}', { zone: r.timezone })));
  async function save(zone) {
    zoneQuestion.hidden = true;
    const f = form.elements;
    const body = {
      enabled: f.enabled.checked,
      ...(zone ? { timezone: zone } : {}),
      times: [...form.querySelectorAll('input[name=time]')].map((i) => i.value).filter(Boolean).sort(),
      days: [...form.querySelectorAll('input[name=day]:checked')].map((i) => Number(i.value)),
      quiet_start: f.quiet_start.value || null, quiet_end: f.quiet_end.value || null,
    };
    try {
      const saved = await send('PUT', '/api/v1/reminders', body);
      r.timezone = saved.timezone;
      say(_('Reminders saved.'));
    } catch (err) {
      say(isNetworkError(err) ? _('You are offline. Try again when you are connected.') : _('Not saved: {detail}', { detail: err.message }));
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    if (!askZone || r.timezone === phoneZone) return save(null);
    zoneQuestion.hidden = false;
    zoneQuestion.querySelector('button').focus();
  });
  form.append(zoneQuestion);
  return h('section', { class: 'card' }, h('h2', {}, _('Reminders')), form);
}

async function notificationsSection() {
  const status = h('p', { role: 'status' });
  const section = h('section', { class: 'card' }, h('h2', {}, _('Notifications on this phone')), status);
  if (push.needsHomeScreen()) {
    status.textContent = _('On iPhone and iPad, reminders only work once this app is on your Home Screen: tap the Share button, choose "Add to Home Screen", then open the app from there and come back to this page.');
    return section;
  }
  if (!push.supported()) {
    status.textContent = _('This browser cannot show reminders. Try Chrome, Edge, Firefox or Safari.');
    return section;
  }
  const button = h('button', { type: 'button', class: 'btn primary' });
  const show = async () => {
    const sub = await push.subscription().catch(() => null);
    if (Notification.permission === 'denied') {
      status.textContent = _('Notifications are blocked for this app. You can allow them in your browser or phone settings.');
      button.hidden = true;
    } else {
      status.textContent = sub ? _('Reminders will appear on this phone.') : _('Allow notifications so that reminders can appear on this phone. They never show health details.');
      button.textContent = sub ? _('Turn off notifications on this phone') : _('Allow notifications');
      button.dataset.on = sub ? '1' : '';
    }
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      if (button.dataset.on) await push.disable();
      else await push.enable();
    } catch (err) {
      say(isNetworkError(err) ? _('You are offline. Try again when you are connected.') : _('Could not turn on notifications: {detail}', { detail: err.message }));
    }
    button.disabled = false;
    show();
  });
  await show();
  section.append(button);
  return section;
}

async function offlineSection() {
  const btn = h('button', { type: 'button', class: 'btn' }, _('Save all exercise pictures for offline use'));
  btn.addEventListener('click', async () => {
    const today = await loadToday();
    const n = cacheMedia(today.items);
    say(_('Saving {n} pictures on this phone.', { n }));
  });
  const list = h('ul', { class: 'plain' });
  const waiting = await pending();
  const failed = await rejected();
  for (const p of waiting) list.append(h('li', {}, p.label || p.kind));
  for (const r of failed) {
    list.append(h('li', { class: 'alert' }, _('Not saved: {label} ({detail})', { label: r.item.label || r.item.kind, detail: r.detail || r.status }), ' ',
      h('button', { type: 'button', class: 'btn', onclick: async () => { await dismiss(r.seq); hooks.rerender(); } }, _('Dismiss'))));
  }
  const sendBtn = h('button', { type: 'button', class: 'btn', hidden: !waiting.length, onclick: async () => { await flush(); hooks.rerender(); } }, _('Send now'));
  return h('section', { class: 'card' }, h('h2', {}, _('Offline')),
    h('p', {}, waiting.length ? _('Waiting to be sent:') : _('Everything you logged has been sent.')), list, sendBtn,
    h('p', { class: 'hint' }, _('Pictures are saved automatically on Wi-Fi.')), btn);
}

/** Save `data` as a JSON file on the device: a Blob behind a temporary download link. */
function saveJson(data, filename) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

function dataSection() {
  const btn = h('button', { type: 'button', class: 'btn', id: 'download-data' }, _('Download my data'));
  // Fetch everything stored about the patient and hand it over as a file.
  btn.addEventListener('click', async () => {
    btn.disabled = true;
    try {
      saveJson(await get('/api/v1/export'), `my-data-${localDay()}.json`);
      say(_('Your data was saved as a file.'));
    } catch (err) {
      say(isNetworkError(err) ? _('You are offline. Try again when you are connected.') : _('Could not download your data: {detail}', { detail: err.message }));
    }
    btn.disabled = false;
  });
  return h('section', { class: 'card' }, h('h2', {}, _('My data')),
    h('p', { class: 'hint' }, _('A copy of everything stored about you (program, logs, check-ins, questionnaires, reminders and who opened your record), as a JSON file.')), btn);
}

export default async function settingsView() {
  const out = h('button', { type: 'button', class: 'btn' }, _('Sign out on this phone'));
  out.addEventListener('click', async () => {
    const waiting = (await pending()).length;
    if (waiting && !confirm(_('{n} entries have not been sent yet and will be lost. Sign out anyway?', { n: waiting }))) return;
    hooks.signOut();
  });
  const sections = await Promise.all([remindersSection(), notificationsSection(), offlineSection()]);
  mount(_('Settings'), languageSection(), ...sections, dataSection(), h('section', { class: 'card' }, h('h2', {}, _('Account')), out));
}
