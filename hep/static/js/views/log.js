// Log a completion (or correct an earlier one: the original stays in the history).
import { get, uuid, isoNow, localDay } from '../api.js';
import { _, time } from '../i18n.js';
import { enqueue, pending } from '../outbox.js';
import { go } from '../router.js';
import { h, mount, slider, stepper, effortWord, say, link } from '../ui.js';
import { loadToday } from './today.js';

const num = (form, name) => Number(form.elements[name].value);

/** Save through the outbox and tell the patient where it went. */
export async function save(kind, url, body, label, next = '#/today') {
  const result = await enqueue(kind, url, body, label);
  if (result.rejected) say(_('Not saved: {detail}', { detail: result.rejected.message }));
  else say(result.synced ? _('Saved.') : _('Saved on this phone. It will be sent when you are back online.'));
  go(next);
  return result;
}

async function findOriginal(id) {
  const queued = (await pending()).find((p) => p.body.id === id);
  if (queued) return queued.body;
  const list = await get('/api/v1/completions?days=8');
  return (Array.isArray(list) ? list : list.items || []).find((c) => c.id === id);
}

export default async function logView({ id }, query) {
  const today = await loadToday();
  const item = today.items.find((i) => String(i.prescription_id) === id);
  if (!item) return mount(_('Exercise not found'), link('#/today', _('Back to today')));
  const { exercise: ex, dose } = item;
  const correcting = query.get('correct');
  const original = correcting ? await findOriginal(correcting) : null;
  const start = original || {
    sets_done: Number(query.get('sets')) || dose.sets || 1,
    reps_done: Number(query.get('reps')) || dose.reps || 0,
    pain_during: 0, pain_after: 0, effort: 0, note: '',
  };
  const ceiling = dose.pain_ceiling;
  const warn = h('p', { class: 'alert', role: 'alert', hidden: true });
  const form = h('form', { class: 'form', novalidate: false },
    stepper({ name: 'sets_done', label: _('Sets done'), value: start.sets_done, max: 50 }),
    stepper({ name: 'reps_done', label: _('Reps in each set'), value: start.reps_done, max: 200 }),
    slider({ name: 'pain_during', label: _('Pain during the exercise'), value: start.pain_during,
      hint: _('0 means no pain, 10 the worst pain you can imagine.'), low: _('No pain'), high: _('Worst') }),
    warn,
    slider({ name: 'pain_after', label: _('Pain right after'), value: start.pain_after,
      hint: _('Compared with how you felt before you started.'), low: _('No pain'), high: _('Worst') }),
    slider({ name: 'effort', label: _('How hard was it?'), value: start.effort, words: effortWord,
      hint: _('0 means no effort at all, 10 the hardest you could do.'), low: _('Easy'), high: _('Maximal') }),
    h('div', { class: 'field' }, h('label', { for: 'f-note' }, _('Note (optional)')),
      h('textarea', { id: 'f-note', name: 'note', rows: 2, maxlength: 1000 }, start.note || '')),
    h('button', { type: 'submit', class: 'btn primary big' }, correcting ? _('Save correction') : _('Save')));
  form.elements.pain_during.addEventListener('input', () => {
    const over = ceiling != null && num(form, 'pain_during') > ceiling;
    warn.hidden = !over;
    warn.textContent = over ? _('That is above the limit your therapist set ({n} out of 10). Next time do fewer reps or a smaller range, and tell your therapist if it keeps happening.', { n: ceiling }) : '';
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    form.querySelector('[type=submit]').disabled = true;
    const values = {
      sets_done: num(form, 'sets_done'), reps_done: num(form, 'reps_done'),
      pain_during: num(form, 'pain_during'), pain_after: num(form, 'pain_after'), effort: num(form, 'effort'),
      note: form.elements.note.value.trim(),
    };
    if (correcting) {
      await save('correction', `/api/v1/completions/${encodeURIComponent(correcting)}/corrections`, { id: uuid(), ...values },
        _('Correction: {name}', { name: ex.name }));
    } else {
      const now = new Date();
      await save('completion', '/api/v1/completions', { id: uuid(), prescription_id: item.prescription_id, performed_at: isoNow(now), ...values },
        _('{name} at {time}', { name: ex.name, time: time(now) }));
    }
  });
  mount(correcting ? _('Correct: {name}', { name: ex.name }) : _('Log: {name}', { name: ex.name }),
    correcting ? h('p', { class: 'note' }, original
      ? _('Your first answers stay in your history; your therapist sees the corrected ones.')
      : _('The original entry was not found on this phone. You can still send a correction.')) : null,
    !correcting && localDay() !== today.date ? h('p', { class: 'note' }, _('This will be logged for {day}.', { day: localDay() })) : null,
    form);
}
