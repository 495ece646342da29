// Next-morning check-in (CLINICAL.md). A red-flag answer, or weakness getting worse, shows the
// emergency screen at once, before and whatever the server answers, online or not.
import { get, uuid, localDay } from '../api.js';
import { _, date } from '../i18n.js';
import { enqueue, pending } from '../outbox.js';
import { go } from '../router.js';
import { h, mount, slider, choices, say } from '../ui.js';

const yesNo = () => [['no', _('No')], ['yes', _('Yes')]];

export function urgentView() {
  mount(_('Get emergency care now'),
    h('div', { class: 'urgent', role: 'alert' },
      h('p', { class: 'lead' }, _('Your answer can be a sign that nerves at the base of your spine are being squeezed. This needs to be checked by a doctor today.')),
      h('p', {}, _('Go to an emergency department now, or call your local emergency number (for example 112 in Europe, 911 in the US or 999 in the UK).')),
      h('p', {}, h('strong', {}, _('Do not wait for your next appointment, and do not do your exercises until you have been checked.'))),
      h('p', {}, _('Your answers are also sent to your therapist, but do not wait for them to contact you.'))),
    h('p', {}, h('a', { href: '#/today', class: 'btn' }, _('Back to today'))));
}

/** This morning's check-in, sent or still waiting in the outbox (null if none). A change is
 * filed against its id; the outbox sends oldest first, so a queued original arrives first. */
async function sentToday(day) {
  const queued = (await pending()).filter((p) => p.kind === 'checkin' && p.body.date === day);
  if (queued.length) return queued[queued.length - 1].body;
  try {
    const today = await get('/api/v1/today');
    return today.date === day ? today.checkin_today : null;
  } catch (e) { return null; }
}

/** Put the day's answers (sent or queued) into the form, so a change starts from them. */
function prefill(form, answers) {
  for (const name of ['morning_pain', 'back_pain', 'leg_pain']) {
    const input = form.elements[name];
    if (answers[name] !== null && answers[name] !== undefined) {
      input.value = answers[name];
      input.dispatchEvent(new Event('input'));
    }
  }
  const yesNoOf = (v) => (v ? 'yes' : 'no');
  const picked = {
    settled: answers.settled, distal_symptom: answers.distal_symptom,
    new_numbness_or_weakness: yesNoOf(answers.new_numbness_or_weakness),
    weakness_worse: yesNoOf(answers.weakness_worse), red_flag_change: yesNoOf(answers.red_flag_change),
  };
  for (const [name, value] of Object.entries(picked)) {
    const radio = form.querySelector(`input[name="${name}"][value="${value}"]`);
    if (radio) radio.checked = true;
  }
}

export default async function checkinView() {
  const day = localDay();
  const existing = await sentToday(day);
  const numbWarn = h('p', { class: 'alert', role: 'alert', hidden: true }, _('Please contact your therapist today about new numbness or weakness. If weakness is getting worse, answer yes to the next question.'));
  const flagWarn = h('p', { class: 'alert urgent-inline', role: 'alert', hidden: true }, _('This can be an emergency. After you send this, go to an emergency department or call your local emergency number.'));
  const weakWarn = h('p', { class: 'alert urgent-inline', role: 'alert', hidden: true }, _('Weakness that is getting worse can be an emergency. After you send this, go to an emergency department or call your local emergency number.'));
  const form = h('form', { class: 'form' },
    slider({ name: 'morning_pain', label: _('How much pain do you have this morning?'), value: 0,
      hint: _('0 means no pain, 10 the worst pain you can imagine.'), low: _('No pain'), high: _('Worst') }),
    slider({ name: 'back_pain', label: _('And in your back?'), value: 0,
      hint: _('Pain in your lower back only.'), low: _('No pain'), high: _('Worst') }),
    slider({ name: 'leg_pain', label: _('And in your leg?'), value: 0,
      hint: _('Pain, tingling or burning in your buttock, leg or foot.'), low: _('No pain'), high: _('Worst') }),
    choices({ name: 'settled', legend: _('Has the pain from yesterday\'s exercises settled?'),
      options: [['yes', _('Yes, back to how it was before')], ['partly', _('Partly')], ['no', _('No, it is worse than before')]] }),
    choices({ name: 'distal_symptom', legend: _('How far down do you feel symptoms this morning?'),
      hint: _('Pain, tingling or pins and needles: choose the lowest place.'),
      options: [['none', _('No symptoms')], ['back', _('Lower back only')], ['buttock', _('Buttock')], ['thigh', _('Thigh')], ['below_knee', _('Below the knee')], ['foot', _('Foot or toes')]] }),
    choices({ name: 'new_numbness_or_weakness', legend: _('Any new numbness or weakness in your leg or foot?'), options: yesNo(),
      onchange: (e) => { numbWarn.hidden = e.target.value !== 'yes'; } }),
    numbWarn,
    choices({ name: 'weakness_worse', legend: _('Any new trouble lifting your foot, walking on your heels or toes, or tripping?'), options: yesNo(),
      onchange: (e) => { weakWarn.hidden = e.target.value !== 'yes'; } }),
    weakWarn,
    choices({ name: 'red_flag_change', legend: _('Any change in your bladder or bowel control, or new numbness around your genitals, bottom or inner thighs?'), options: yesNo(),
      onchange: (e) => { flagWarn.hidden = e.target.value !== 'yes'; } }),
    flagWarn,
    h('button', { type: 'submit', class: 'btn primary big' }, _('Send check-in')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const f = form.elements;
    const body = {
      id: uuid(), ...(existing ? {} : { date: day }), morning_pain: Number(f.morning_pain.value), settled: f.settled.value,
      distal_symptom: f.distal_symptom.value, new_numbness_or_weakness: f.new_numbness_or_weakness.value === 'yes',
      red_flag_change: f.red_flag_change.value === 'yes', weakness_worse: f.weakness_worse.value === 'yes',
      back_pain: Number(f.back_pain.value), leg_pain: Number(f.leg_pain.value),
    };
    const label = _('Check-in for {day}', { day: date(day, { day: 'numeric', month: 'short' }) });
    const sending = existing
      ? enqueue('checkin-correction', `/api/v1/checkins/${existing.id}/corrections`, body, label)
      : enqueue('checkin', '/api/v1/checkins', body, label);
    if (body.red_flag_change || body.weakness_worse) return go('#/urgent'); // never wait for the network here
    form.querySelector('[type=submit]').disabled = true;
    const result = await sending;
    if (result.data && result.data.urgent) return go('#/urgent');
    say(result.rejected ? _('Not saved: {detail}', { detail: result.rejected.message })
      : result.synced ? _('Check-in sent. Thank you.') : _('Saved on this phone. It will be sent when you are back online.'));
    go('#/today');
  });
  if (!existing) return mount(_('Morning check-in'), h('p', { class: 'lead' }, date(day)), form);
  prefill(form, existing);
  // Already answered today: show it, and let the patient change it (a new symptom later in
  // the day must still reach the therapist).
  form.hidden = true;
  const change = h('button', { type: 'button', class: 'btn big' }, _('Change my answers'));
  change.addEventListener('click', () => { form.hidden = false; change.hidden = true; form.querySelector('input').focus(); });
  mount(_('Morning check-in'), h('p', { class: 'lead' }, date(day)),
    h('div', { class: 'card callout' },
      h('p', {}, _('You sent your check-in this morning: pain {n} out of 10.', { n: existing.morning_pain })),
      h('p', {}, _('If something has changed since, change your answers. Your therapist sees both.'))),
    change, form);
}
