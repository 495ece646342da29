// Outcome questionnaires (PSFS, FABQ, EARS ...) rendered from their definition.
import { get, uuid } from '../api.js';
import { _ } from '../i18n.js';
import { h, mount } from '../ui.js';
import { save } from './log.js';

function field(item, i) {
  const name = `q-${item.id}`;
  const options = item.options || [];
  if (options.length) {
    return h('fieldset', { class: 'field choices' }, h('legend', {}, item.text), item.hint ? h('p', { class: 'hint' }, item.hint) : null,
      options.map((o) => {
        const [value, text] = typeof o === 'object' ? [o.value, o.label ?? o.text ?? o.value] : [o, o];
        return h('label', { class: 'choice' }, h('input', { type: 'radio', name, value: String(value), required: item.required !== false }), h('span', {}, text));
      }));
  }
  const id = `f-${name}-${i}`;
  const numeric = item.type !== 'text' && (item.min != null || item.max != null || item.type === 'number');
  return h('div', { class: 'field' }, h('label', { for: id }, item.text),
    h('input', { id, name, type: numeric ? 'number' : 'text', min: item.min, max: item.max, inputmode: numeric ? 'numeric' : null, required: item.required !== false }));
}

export default async function questionnaireView({ code }) {
  const q = await get(`/api/v1/questionnaires/${encodeURIComponent(code)}`);
  const items = q.items || [];
  const form = h('form', { class: 'form' }, items.map(field), h('button', { type: 'submit', class: 'btn primary big' }, _('Send answers')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!form.reportValidity()) return;
    const answers = {};
    for (const item of items) {
      const el = form.elements[`q-${item.id}`];
      const raw = el.value;
      answers[item.id] = raw !== '' && !Number.isNaN(Number(raw)) && item.type !== 'text' ? Number(raw) : raw;
    }
    await save('questionnaire', `/api/v1/questionnaires/${encodeURIComponent(code)}/responses`, { id: uuid(), answers }, q.name || code, '#/progress');
  });
  mount(q.name || code, q.instructions ? h('p', { class: 'lead' }, q.instructions) : null, form);
}
