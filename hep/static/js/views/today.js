// Today: the day's exercises with their dose and how many sessions are done.
import { get, localDay } from '../api.js';
import { _, date, time, number } from '../i18n.js';
import { pending } from '../outbox.js';
import { h, mount, doseText, phaseName, link, drawing } from '../ui.js';

/** /api/v1/today with this phone's unsent completions counted in. */
export async function loadToday() {
  const today = await get('/api/v1/today');
  const queued = await pending();
  const waiting = queued.filter((p) => p.kind === 'completion' && localDay(new Date(p.body.performed_at)) === today.date);
  if (queued.some((p) => p.kind === 'checkin' && p.body.date === today.date)) today.checkin_due = false;
  for (const item of today.items) {
    item.waiting = waiting.filter((p) => p.body.prescription_id === item.prescription_id).length;
    item.done = item.done_today + item.waiting;
  }
  return today;
}

/** Today's logged sessions that are still current (not replaced by a correction). */
export async function loggedToday(day) {
  let list = [];
  try { list = await get('/api/v1/completions?days=2'); } catch (e) { return []; }
  return (Array.isArray(list) ? list : list.items || [])
    .filter((c) => !c.superseded_at && (c.local_date || localDay(new Date(c.performed_at))) === day);
}

function cacheMediaOnWifi(items) {
  const conn = navigator.connection;
  if (!conn || !['wifi', 'ethernet'].includes(conn.type) || conn.saveData) return;
  cacheMedia(items);
}

export function cacheMedia(items) {
  const urls = items.map((i) => i.exercise.media_url).filter(Boolean);
  navigator.serviceWorker?.controller?.postMessage({ type: 'cache-media', urls });
  return urls.length;
}

// The bar's width is set through the CSSOM: the Content-Security-Policy refuses style attributes.
function meterFill(fraction) {
  const fill = h('span', {});
  fill.style.width = `${Math.round(100 * fraction)}%`;
  return fill;
}

function card(item, logs) {
  const { exercise: ex, dose } = item;
  const target = item.target_today;
  const done = Math.min(item.done, target || item.done);
  const finished = target > 0 && item.done >= target;
  const name = `ex-${item.prescription_id}`;
  return h('li', { class: `card exercise${finished ? ' finished' : ''}`, 'aria-labelledby': name },
    ex.media_url ? drawing(ex.media_url, '', 'thumb')
      // A clinic's own exercise: its picture (left out offline unless saved for offline).
      : ex.image_url ? h('img', { class: 'thumb', src: ex.image_url, alt: '', onerror: (e) => e.target.remove() }) : null,
    h('div', { class: 'card-body' },
      h('h2', { id: name }, ex.name),
      h('p', { class: 'dose' }, doseText(dose)),
      target > 0 ? h('p', { class: 'count' },
        h('span', { class: 'meter', 'aria-hidden': 'true' }, meterFill(done / target)),
        finished ? _('Done for today ✓') : _('{done} of {target} done today', { done, target })) : null,
      item.waiting ? h('p', { class: 'hint' }, _('{n} waiting to be sent', { n: item.waiting })) : null,
      h('div', { class: 'actions' },
        link(`#/exercise/${item.prescription_id}`, finished ? _('Do again') : _('Start'), finished ? 'btn' : 'btn primary'),
        link(`#/log/${item.prescription_id}`, _('Log'), 'btn')),
      logs.length ? h('ul', { class: 'logs' }, logs.map((c) => h('li', {},
        _('{time}: pain {during} during, {after} after', { time: time(c.performed_at), during: c.pain_during, after: c.pain_after }), ' ',
        link(`#/log/${item.prescription_id}?correct=${encodeURIComponent(c.id)}`, _('Correct'), 'textlink')))) : null));
}

/** Whether the patient has a fear hierarchy to work on (then Today links to #/exposure). */
async function hasHierarchy() {
  try { return (await get('/api/v1/hierarchy')).length > 0; } catch (e) { return false; }
}

export default async function todayView() {
  const [today, exposure] = await Promise.all([loadToday(), hasHierarchy()]);
  const logs = await loggedToday(today.date);
  const doneAll = today.items.length > 0 && today.items.every((i) => i.target_today > 0 && i.done >= i.target_today);
  const restDay = today.items.every((i) => !i.target_today);
  mount(_('Today'),
    h('p', { class: 'lead' }, date(today.date), today.phase ? h('span', { class: 'badge' }, phaseName(today.phase)) : null),
    today.offline ? h('p', { class: 'note' }, _('Offline: showing the program saved on this phone.')) : null,
    today.notes ? h('p', { class: 'card note program-notes' }, h('strong', {}, _('From your therapist:')), ' ', today.notes) : null,
    today.checkin_due ? h('div', { class: 'card callout' },
      h('h2', {}, _('Morning check-in')),
      h('p', {}, _('How did your body respond to yesterday\'s exercises? It takes a minute.')),
      link('#/checkin', _('Start check-in'), 'btn primary')) : null,
    doneAll ? h('p', { class: 'card done-all', role: 'status' }, _('All done for today. Well done!')) : null,
    !today.items.length ? h('p', { class: 'card' }, _('No exercises are set for you yet. Your therapist will add them.')) :
      restDay ? h('p', { class: 'card' }, _('Today is a rest day. Nothing to do.')) : null,
    h('ul', { class: 'cards' }, today.items.map((item) => card(item, logs.filter((c) => c.prescription_id === item.prescription_id)))),
    exposure ? h('div', { class: 'card' }, h('h2', {}, _('Facing feared activities')),
      h('p', {}, _('Practise the activities you and your therapist listed, one step at a time.')),
      link('#/exposure', _('Open your steps'), 'btn')) : null,
    today.items.length ? h('p', { class: 'hint' }, _('Sessions done today: {n}', { n: number(today.items.reduce((s, i) => s + i.done, 0)) })) : null);
  cacheMediaOnWifi(today.items);
  if (!today.offline) showExtras(today);
}

/** Whether the program changed since this phone last showed "What changed" (kept in
 *  lazy/offers.js under the same key). The first version a phone sees is only remembered. */
function versionChanged(number) {
  let seen = null;
  try { seen = JSON.parse(localStorage.getItem('hep_seen_version')); } catch (e) { /* private mode */ }
  if (number == null) return false;
  if (seen == null) {
    try { localStorage.setItem('hep_seen_version', JSON.stringify(number)); } catch (e) { /* private mode */ }
    return false;
  }
  return number > seen;
}

/** The self-progression offers and "What changed", from a module loaded only when there is
 *  one to show (so the first load stays small). */
async function showExtras(today) {
  const changed = versionChanged(today.version);
  if (!changed && !today.items.some((i) => i.offer)) return;
  const extras = await import('../lazy/offers.js').catch(() => null);
  if (!extras) return;
  const main = document.getElementById('main');
  if (changed) {
    const box = await extras.whatChanged(today.version);
    if (box) main.querySelector('.lead')?.after(box);
  }
  if (!extras.hasOpenOffer(today.items)) return;
  for (const item of today.items) {
    if (!item.offer || !extras.hasOpenOffer([item])) continue;
    document.getElementById(`ex-${item.prescription_id}`)?.closest('li')?.querySelector('.card-body')
      ?.append(extras.offerCard(item, () => todayView()));
  }
}
