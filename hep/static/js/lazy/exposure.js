// Graded exposure at home (#/exposure): the patient's fear hierarchy, easiest first, progress
// up the ladder, and a session screen that asks for the prediction before and the result
// after. Loaded on first use (app.js imports it when the route opens), never with the app.
// Sessions go through the outbox, so they are saved offline and sent exactly once.
import { get, uuid, isoNow } from '../api.js';
import { _, number } from '../i18n.js';
import { pending } from '../outbox.js';
import { h, mount, link, choices } from '../ui.js';
import { save } from '../views/log.js';

const sessionsUrl = (itemId) => `/api/v1/hierarchy/${itemId}/sessions`;

/** The hierarchy (easiest first, as the server ranks it) and this phone's unsent sessions. */
async function load() {
  const [items, queued] = await Promise.all([get('/api/v1/hierarchy'), pending()]);
  const waiting = queued.filter((p) => p.kind === 'exposure');
  for (const item of items) {
    item.waiting = waiting.filter((p) => p.url === sessionsUrl(item.id)).map((p) => p.body);
  }
  return items;
}

function statusText(item) {
  if (item.status === 'mastered') return _('Done: your fear was proved wrong ✓');
  if (item.status === 'in_progress') return _('In progress');
  return _('Not started');
}

/** "You thought it 70 % likely. It did not happen." for a stored or waiting session. */
export function expectedVersusActual(s) {
  if (s.prediction === null || s.prediction === undefined) return '';
  const thought = _('You thought it {n} % likely.', { n: number(s.prediction) });
  return `${thought} ${s.outcome_happened ? _('It happened.') : _('It did not happen.')}`;
}

// The bar's width is set through the CSSOM: the Content-Security-Policy refuses style attributes.
function meter(fraction) {
  const fill = h('span', {});
  fill.style.width = `${Math.round(100 * fraction)}%`;
  return h('span', { class: 'meter', 'aria-hidden': 'true' }, fill);
}

function step(item, isNext) {
  const last = item.waiting.at(-1) || item.recent[0];
  const titleId = `exposure-${item.id}`;
  return h('li', { class: `card exposure-step${item.status === 'mastered' ? ' finished' : ''}`, 'aria-labelledby': titleId },
    h('h2', { id: titleId }, item.activity),
    h('p', {}, isNext ? h('span', { class: 'badge' }, _('Your next step')) : null, ' ', statusText(item)),
    last ? h('p', { class: 'hint' }, _('Last time:'), ' ', expectedVersusActual(last)) : null,
    item.waiting.length ? h('p', { class: 'hint' }, _('{n} waiting to be sent', { n: item.waiting.length })) : null,
    h('div', { class: 'actions' },
      link(`#/exposure/${item.id}`, item.status === 'not_started' ? _('Start') : _('Practise again'),
        isNext ? 'btn primary' : 'btn')));
}

async function ladderView() {
  const items = await load();
  const mastered = items.filter((i) => i.status === 'mastered').length;
  const next = items.find((i) => i.status !== 'mastered');
  mount(_('Facing feared activities'),
    h('p', { class: 'lead' }, _('Step by step, from the easiest activity up. Before each practice, write down what you fear will happen; afterwards, check whether it did.')),
    items.length ? h('div', { class: 'card' },
      h('p', { class: 'count' }, meter(mastered / items.length),
        _('{done} of {total} steps done', { done: mastered, total: items.length }))) : null,
    items.length ? h('ol', { class: 'cards' }, items.map((item) => step(item, item === next)))
      : h('p', { class: 'card' }, _('Your therapist has not set any activities yet.')),
    link('#/today', _('Back to today'), 'textlink'));
}

/** A 0-100 range with its value shown in words (the app's 0-10 slider, on a wider scale). */
function scale({ name, label, hint, value = 50, unit = '' }) {
  const id = `f-${name}`;
  const out = h('output', { for: id, class: 'slider-value' });
  const input = h('input', { type: 'range', id, name, min: 0, max: 100, step: 5, value, 'aria-describedby': `${id}-hint` });
  const show = () => {
    const text = `${number(Number(input.value))}${unit}`;
    out.textContent = text;
    input.setAttribute('aria-valuetext', text);
  };
  input.addEventListener('input', show);
  show();
  return h('div', { class: 'field slider' }, h('label', { for: id }, label), out, input,
    h('div', { class: 'slider-ends', 'aria-hidden': 'true' }, h('span', {}, '0'), h('span', {}, '100')),
    h('p', { class: 'hint', id: `${id}-hint` }, hint));
}

const yesNo = (name, legend, hint) => choices({ name, legend, hint, options: [['yes', _('Yes')], ['no', _('No')]] });

async function sessionView(itemId) {
  const item = (await load()).find((i) => String(i.id) === itemId);
  if (!item) return mount(_('Activity not found'), link('#/exposure', _('Back to your steps')));
  const before = h('fieldset', { class: 'form-part' },
    h('legend', {}, _('Before you start')),
    h('div', { class: 'field' }, h('label', { for: 'f-feared_outcome' }, _('What are you afraid will happen?')),
      h('textarea', { id: 'f-feared_outcome', name: 'feared_outcome', rows: 2, maxlength: 500, required: true,
        'aria-describedby': 'f-feared_outcome-hint' }, item.recent[0]?.feared_outcome || ''),
      h('p', { class: 'hint', id: 'f-feared_outcome-hint' }, _('For example: "my back will give way".'))),
    scale({ name: 'prediction', label: _('How likely is it that this will happen, 0-100?'), unit: ' %',
      hint: _('0 means it surely will not happen, 100 that it surely will.') }),
    scale({ name: 'fear_before', label: _('How afraid are you now, 0-100?'),
      hint: _('0 means not afraid at all, 100 the most afraid you can be.') }));
  const begin = h('button', { type: 'button', class: 'btn primary big' }, _('I am ready: start'));
  const after = h('fieldset', { class: 'form-part', hidden: true },
    h('legend', {}, _('After the activity')),
    yesNo('outcome_happened', _('Did what you feared happen?')),
    scale({ name: 'fear_after', label: _('How afraid are you now, 0-100?'),
      hint: _('0 means not afraid at all, 100 the most afraid you can be.') }),
    yesNo('safety_behaviour', _('Did you use a safety behaviour?'),
      _('For example holding on, bracing, wearing a brace or taking a pill first.')),
    h('button', { type: 'submit', class: 'btn primary big' }, _('Save')));
  const form = h('form', { class: 'form' }, before, begin, after);
  begin.addEventListener('click', () => {
    if (!before.querySelector('textarea').reportValidity()) return;
    begin.hidden = true;
    after.hidden = false;
    after.querySelector('input').focus();
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const f = form.elements;
    const body = {
      id: uuid(), performed_at: isoNow(), feared_outcome: f.feared_outcome.value.trim(),
      prediction: Number(f.prediction.value), fear_before: Number(f.fear_before.value),
      outcome_happened: f.outcome_happened.value === 'yes', fear_after: Number(f.fear_after.value),
      safety_behaviour: f.safety_behaviour.value === 'yes', note: '',
    };
    await save('exposure', sessionsUrl(item.id), body, item.activity, '#/exposure');
  });
  mount(item.activity,
    h('p', { class: 'lead' }, _('Do the activity as your therapist showed you. Answer the first questions before you start.')),
    form, link('#/exposure', _('Back to your steps'), 'textlink'));
}

/** The route's view: the ladder at #/exposure, a session at #/exposure/<item id>. */
export default function exposureView(params) {
  return params.id ? sessionView(params.id) : ladderView();
}
