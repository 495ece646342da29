// Today's extras, loaded only when there is something to show (lazy/ is left out of the shell):
// the step the therapist lets the patient take on their own ("Ready for 12 reps?" Yes / Not now),
// and "What changed" once after a new program version.
import { get, send, uuid, isNetworkError } from '../api.js';
import { _ } from '../i18n.js';
import { h, say } from '../ui.js';

const DISMISSED_KEY = 'hep_offers_dismissed';
const SEEN_KEY = 'hep_seen_version';

function stored(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch (e) { return fallback; }
}

function store(key, value) {
  try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
}

const offerKey = (item) => `${item.prescription_id}:${item.offer.direction}:${item.offer.reps}:${item.offer.exercise_id}`;

/** Whether Today has an offer not put off ("Not now") on this phone. */
export function hasOpenOffer(items) {
  const dismissed = stored(DISMISSED_KEY, []);
  return items.some((i) => i.offer && !dismissed.includes(offerKey(i)));
}

function question(offer) {
  if (offer.how === 'exercise') {
    return offer.direction === 'harder'
      ? _('Ready for the next exercise: {name}?', { name: offer.exercise_name })
      : _('That hurt more than your limit. Switch to an easier exercise: {name}?', { name: offer.exercise_name });
  }
  if (offer.how === 'hold') {
    return offer.direction === 'harder' ? _('Ready to hold for {n} seconds?', { n: offer.hold_seconds })
      : _('That hurt more than your limit. Hold for {n} seconds next time?', { n: offer.hold_seconds });
  }
  return offer.direction === 'harder' ? _('Ready for {n} reps?', { n: offer.reps })
    : _('That hurt more than your limit. Do {n} reps next time?', { n: offer.reps });
}

/** The offer card of one Today item; `done` is called after the step was taken. */
export function offerCard(item, done) {
  const { offer } = item;
  const box = h('div', { class: 'card callout offer', role: 'group', 'aria-label': question(offer) });
  const yes = h('button', { type: 'button', class: 'btn primary' }, _('Yes'));
  const later = h('button', { type: 'button', class: 'btn' }, _('Not now'));
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      const made = await send('POST', `/api/v1/today/${item.prescription_id}/progress`, { id: uuid(), direction: offer.direction });
      if (made && made.data && made.data.number) store(SEEN_KEY, made.data.number); // the patient's own step needs no "What changed"
      say(_('Done: your program is updated. Your therapist will see the change.'));
      done();
    } catch (err) {
      yes.disabled = false;
      say(isNetworkError(err) ? _('Connect to the internet to take this step.')
        : _('Not changed: {detail}', { detail: (err.body && err.body.detail) || err.message }));
    }
  });
  later.addEventListener('click', () => {
    store(DISMISSED_KEY, [...stored(DISMISSED_KEY, []), offerKey(item)].slice(-50));
    box.remove();
  });
  box.append(h('p', {}, question(offer)),
    h('p', { class: 'hint' }, offer.direction === 'harder'
      ? _('Your therapist said you may take this step when you are ready. Your recent sessions say you are.')
      : _('Your therapist set a pain limit for this exercise. An easier step lets your body settle.')),
    h('div', { class: 'actions' }, yes, later));
  return box;
}

function changeText(c) {
  if (c.change === 'added') return _('New: {name}', { name: c.exercise_name });
  if (c.change === 'removed') return _('Removed: {name}', { name: c.exercise_name });
  if (!c.exercise_id) return c.field === 'notes' ? null : _('Your program moved to a new phase.');
  if (['reps', 'sets', 'hold_seconds', 'frequency_per_day'].includes(c.field)) {
    const label = { reps: _('reps'), sets: _('sets'), hold_seconds: _('seconds of hold'), frequency_per_day: _('times a day') }[c.field];
    return _('{name}: {before} → {after} {what}', { name: c.exercise_name, before: c.before, after: c.after, what: label });
  }
  return c.field === 'self_progression' || c.field === 'notes' ? null : _('{name}: changed', { name: c.exercise_name });
}

/** The "What changed" card of the current version, or null when there is nothing to say. */
export async function whatChanged(number) {
  let version;
  try { version = await get('/api/v1/program'); } catch (e) { return null; }
  const lines = [...new Set(version.changes.map(changeText).filter(Boolean))];
  const byPatient = version.created_by_role === 'patient';
  if (!lines.length && !version.notes) { store(SEEN_KEY, number); return null; }
  const box = h('section', { class: 'card callout what-changed', 'aria-labelledby': 'what-changed' },
    h('h2', { id: 'what-changed' }, _('What changed')),
    h('p', {}, byPatient ? _('You changed your program.') : _('Your therapist updated your program.')),
    lines.length ? h('ul', {}, lines.map((line) => h('li', {}, line))) : null,
    version.notes && !byPatient ? h('p', { class: 'note' }, _('Your therapist\'s note: {note}', { note: version.notes })) : null);
  const ok = h('button', { type: 'button', class: 'btn primary' }, _('Got it'));
  ok.addEventListener('click', () => { store(SEEN_KEY, number); box.remove(); });
  box.append(ok);
  return box;
}
