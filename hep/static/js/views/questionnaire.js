// Outcome questionnaires (PSFS, NPRS, FABQ, EARS ...) drawn from their definition.
// Every answer is a labelled radio button in a fieldset (keyboard: Tab to the group, arrows to
// choose). PSFS asks for 3-5 activities the first time and re-rates them after. Answers go
// through the outbox, so they are kept offline; errors are shown next to their field.
// Loaded lazily (app.js): it is not part of the first load.
import { get, uuid } from '../api.js';
import { _, number } from '../i18n.js';
import { enqueue, rejected, dismiss } from '../outbox.js';
import { go } from '../router.js';
import { h, mount, say } from '../ui.js';

const FORM_ERROR = 'q-form-error';

/** A 0..n scale as radio buttons, each labelled with its number and its anchor text if any. */
function scale({ name, legend, min, max, anchors, hint, lang }) {
  const id = `fs-${name}`;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const options = [];
  for (let v = min; v <= max; v += 1) {
    const label = anchors && anchors[String(v)];
    options.push(h('label', { class: label ? 'choice anchored' : 'choice' },
      h('input', { type: 'radio', name, value: String(v) }),
      h('span', {}, h('span', { class: 'value' }, number(v)), label ? h('span', { class: 'anchor', lang }, ` – ${label}`) : null)));
  }
  const wide = max - min > 4;
  const box = h('fieldset', { class: `field choices${wide ? ' scale' : ''}`, id, 'data-field': name, 'aria-describedby': `${id}-error` },
    h('legend', { lang }, legend), hint ? h('p', { class: 'hint', lang }, hint) : null, options, error);
  box.addEventListener('change', () => clearError(box));
  return box;
}

function showError(box, text) {
  const error = box.querySelector('.field-error');
  error.textContent = text;
  error.hidden = false;
  box.classList.add('invalid');
  box.querySelectorAll('input').forEach((i) => i.setAttribute('aria-invalid', 'true'));
}

function clearError(box) {
  const error = box.querySelector('.field-error');
  if (!error || error.hidden) return;
  error.hidden = true;
  error.textContent = '';
  box.classList.remove('invalid');
  box.querySelectorAll('input').forEach((i) => i.removeAttribute('aria-invalid'));
}

function chosen(form, name) {
  const picked = form.querySelector(`input[name="${name}"]:checked`);
  return picked ? Number(picked.value) : null;
}

/** An activity: its name (a text box the first time, fixed text when re-rated) and its rating. */
function activityBlock(spec, n, activity) {
  const textId = `f-activity-${n}`;
  const rating = scale({ name: `a-${n}`, legend: activity ? activity.activity : _('How well can you do activity {n} today?', { n: n + 1 }),
    min: spec.min, max: spec.max, anchors: spec.anchors, hint: activity ? spec.prompt : null });
  if (activity) {
    rating.dataset.activity = activity.activity;
    return h('div', { class: 'activity' }, rating);
  }
  const error = h('p', { class: 'field-error', id: `${textId}-error`, hidden: true });
  const input = h('input', { id: textId, name: `activity-${n}`, type: 'text', maxlength: 200, autocomplete: 'off', 'aria-describedby': `${textId}-error` });
  const field = h('div', { class: 'field', 'data-field': `activity-${n}` },
    h('label', { for: textId }, _('Activity {n}', { n: n + 1 })), input, error);
  input.addEventListener('input', () => clearError(field));
  return h('div', { class: 'activity card' }, field, rating);
}

/** Server errors (problem+json ``errors``) onto the fields they name; the rest above the button. */
function showServerErrors(form, errors) {
  const rest = [];
  for (const [key, messages] of Object.entries(errors || {})) {
    const text = [].concat(messages).join(' ');
    let name = null;
    let m = key.match(/^answers\.(.+)$/);
    if (m) name = form.dataset.patient ? `a-${Number(m[1]) - 1}` : `q-${m[1]}`;
    m = key.match(/^items\.(\d+)$/);
    if (m) name = `activity-${m[1]}`;
    const box = name && form.querySelector(`[data-field="${name}"]`);
    if (box) showError(box, text);
    else rest.push(text);
  }
  const general = form.querySelector(`#${FORM_ERROR}`);
  general.textContent = rest.join(' ');
  general.hidden = !rest.length;
}

export default async function questionnaireView({ code }) {
  const url = `/api/v1/questionnaires/${encodeURIComponent(code)}`;
  const q = await get(url);
  const spec = q.patient_items;
  const textLang = q.language !== document.documentElement.lang ? q.language : null; // e.g. English only
  const known = spec ? (await get(`${url}/activities`)).activities || [] : [];
  const general = h('p', { class: 'alert', id: FORM_ERROR, role: 'alert', hidden: true });
  const form = h('form', { class: 'form', novalidate: true });
  if (spec) form.dataset.patient = '1';
  const blocks = h('div', { class: 'activities' });
  let count = 0;
  const addActivity = (activity) => { blocks.append(activityBlock(spec, count, activity)); count += 1; };
  let more = null;
  if (spec) {
    if (known.length) known.forEach((a) => addActivity(a));
    else for (let n = 0; n < spec.min_count; n += 1) addActivity(null);
    more = h('button', { type: 'button', class: 'btn' }, _('Add an activity'));
    more.addEventListener('click', () => {
      addActivity(null);
      more.hidden = count >= spec.max_count;
      blocks.lastElementChild.querySelector('input[type=text]').focus();
    });
    more.hidden = count >= spec.max_count;
  }
  const items = q.items || [];
  form.append(...[
    q.english_only ? h('p', { class: 'caution' }, _('This questionnaire is available in English only.')) : null,
    spec ? h('p', { class: 'hint' }, known.length ? _('Rate the same activities as last time.') : _('Name {low} to {high} activities you find hard because of your back or leg.', { low: spec.min_count, high: spec.max_count })) : null,
    spec ? blocks : items.map((item) => scale({ name: `q-${item.id}`, legend: item.text, min: item.min, max: item.max, anchors: item.anchors, lang: textLang })),
    more, general,
    h('button', { type: 'submit', class: 'btn primary big' }, _('Send answers'))].flat().filter(Boolean));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    general.hidden = true;
    const body = { id: uuid(), answers: {} };
    let first = null;
    const need = (box, text) => { showError(box, text); first = first || box; };
    if (spec) {
      body.items = [];
      [...blocks.children].forEach((block, n) => {
        const input = block.querySelector('input[type=text]');
        const text = input ? input.value.trim() : block.querySelector('fieldset').dataset.activity;
        const value = chosen(form, `a-${n}`);
        if (input && !text && value === null && n >= spec.min_count) return; // an extra left empty
        if (!text) need(block.querySelector('[data-field^="activity-"]'), _('Name the activity.'));
        if (value === null) need(block.querySelector('fieldset'), _('Choose an answer.'));
        body.items.push(text);
        body.answers[String(body.items.length)] = value;
      });
    } else {
      for (const item of items) {
        const value = chosen(form, `q-${item.id}`);
        if (value === null) need(form.querySelector(`[data-field="q-${item.id}"]`), _('Choose an answer.'));
        body.answers[item.id] = value;
      }
    }
    if (first) {
      (first.querySelector('input') || first).focus();
      return;
    }
    const result = await enqueue('questionnaire', `${url}/responses`, body, q.name || code);
    if (result.rejected && result.rejected.status === 422) {
      // The patient corrects the form, so nothing is left waiting or set aside for it.
      const entry = (await rejected()).find((r) => r.item.body.id === body.id);
      if (entry) await dismiss(entry.seq);
      showServerErrors(form, result.rejected.problem.errors);
      say(_('Please check the answers marked below.'));
      const marked = form.querySelector('.invalid input');
      if (marked) marked.focus();
      return;
    }
    if (result.rejected) say(_('Not saved: {detail}', { detail: result.rejected.message }));
    else say(result.synced ? _('Saved.') : _('Saved on this phone. It will be sent when you are back online.'));
    go('#/progress');
  });
  mount(q.name || code, q.instructions ? h('p', { class: 'lead', lang: textLang }, q.instructions) : null, form);
  if (textLang) document.querySelector('#main h1').setAttribute('lang', textLang);
}
