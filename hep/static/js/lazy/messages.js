// Messages with the therapist (#/messages): the thread, oldest first, and a form to write.
// Loaded on first use (app.js imports it when the route opens), never with the app. A message
// goes through the outbox with its own id, so one written offline is sent once when back online.
// Opening the thread reads the therapist's messages (the server marks them read), so the tab's
// badge clears.
import { get, uuid, isNetworkError } from '../api.js';
import { _, date, time } from '../i18n.js';
import { enqueue, pending } from '../outbox.js';
import { h, mount, say } from '../ui.js';

const URL = '/api/v1/messages';
const MAX = 2000;
let hooks = { unread: () => {} };

/** app.js hands over how to set the tab's unread badge. */
export function setHooks(given) { hooks = { ...hooks, ...given }; }

/** The stored thread (null when offline with no copy) and this phone's unsent messages. */
async function load() {
  const [stored, queued] = await Promise.all([
    get(URL).catch((err) => { if (isNetworkError(err)) return null; throw err; }),
    pending(),
  ]);
  const ids = new Set((stored || []).map((m) => m.id));
  const waiting = queued.filter((p) => p.kind === 'message' && !ids.has(p.body.id)).map((p) => p.body);
  return { stored, waiting };
}

function when(iso) {
  return `${date(iso, { day: 'numeric', month: 'short' })}, ${time(iso)}`;
}

function bubble(m, waiting = false) {
  const mine = waiting || m.sender_role === 'patient';
  return h('li', { class: `message ${mine ? 'mine' : 'theirs'}` },
    h('p', { class: 'message-meta' },
      h('strong', {}, mine ? _('You') : (m.author_name || _('Your therapist'))), ' · ',
      waiting ? h('span', { class: 'waiting' }, _('Waiting to be sent'))
        : h('time', { datetime: m.created_at }, when(m.created_at))),
    h('p', { class: 'message-body' }, m.body));
}

async function render() {
  const { stored, waiting } = await load();
  if (stored) hooks.unread(0); // the server has just marked them read
  const list = [...(stored || []).map((m) => bubble(m)), ...waiting.map((m) => bubble(m, true))];
  const input = h('textarea', { id: 'f-message', name: 'body', rows: 4, maxlength: MAX, required: true,
    'aria-describedby': 'f-message-hint' });
  const form = h('form', { class: 'form' },
    h('div', { class: 'field' },
      h('label', { for: 'f-message' }, _('Write to your therapist')), input,
      h('p', { class: 'hint', id: 'f-message-hint' }, _('Your therapist answers when they can. This is not for emergencies: if something feels urgent, call your local emergency number.'))),
    h('button', { type: 'submit', class: 'btn primary big' }, _('Send')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) { input.value = ''; input.reportValidity(); return; }
    const button = form.querySelector('button');
    button.disabled = true;
    const result = await enqueue('message', URL, { id: uuid(), body: text }, _('Message'));
    if (result.rejected) say(_('Not sent: {detail}', { detail: result.rejected.message }));
    else say(result.synced ? _('Message sent.') : _('Saved on this phone. It will be sent when you are back online.'));
    await render();
    document.getElementById('f-message')?.focus();
  });
  mount(_('Messages'),
    stored === null ? h('p', { class: 'hint' }, _('You are offline: earlier messages show when you are back online.')) : null,
    list.length ? h('ol', { class: 'thread', 'aria-label': _('Your messages') }, list)
      : h('p', { class: 'card' }, _('No messages yet. Ask your therapist anything about your exercises.')),
    form);
}

/** The route's view. */
export default function messagesView() {
  return render();
}
