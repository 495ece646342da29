// Progress: adherence calendar, streak, pain trend, questionnaires due.
import { get } from '../api.js';
import { _, date, number, parseDay } from '../i18n.js';
import { h, mount, link } from '../ui.js';

export const loadProgress = () => get('/api/v1/progress?days=28');

function calendar(days) {
  const first = days.length ? (parseDay(days[0].date).getDay() + 6) % 7 : 0; // Monday first
  const cells = [];
  for (let i = 0; i < first; i++) cells.push(h('li', { class: 'day blank', 'aria-hidden': 'true' }));
  for (const d of days) {
    const status = !d.sessions_target ? 'rest' : d.sessions_done >= d.sessions_target ? 'full' : d.sessions_done > 0 ? 'part' : 'none';
    const what = !d.sessions_target ? _('rest day') : _('{done} of {target} sessions', { done: d.sessions_done, target: d.sessions_target });
    cells.push(h('li', { class: `day ${status}` },
      h('span', { 'aria-hidden': 'true' }, parseDay(d.date).getDate()),
      h('span', { class: 'sr-only' }, `${date(d.date, { weekday: 'short', day: 'numeric', month: 'short' })}: ${what}`)));
  }
  return h('ol', { class: 'calendar' }, cells);
}

function trend(days) {
  const w = 300, ht = 120, n = Math.max(days.length - 1, 1);
  const pts = (key) => days.map((d, i) => (d[key] == null ? null : [((i / n) * w).toFixed(1), (ht - (d[key] / 10) * ht).toFixed(1)])).filter(Boolean);
  const series = (key, cls) => `<polyline class="${cls}" points="${pts(key).map((p) => p.join(',')).join(' ')}"/>` +
    pts(key).map(([x, y]) => `<circle class="${cls}" cx="${x}" cy="${y}" r="4"/>`).join('');
  const svg = `<svg viewBox="-4 -4 ${w + 8} ${ht + 8}" aria-hidden="true" focusable="false">` +
    `<path class="grid" d="M0 0H${w}M0 ${ht / 2}H${w}M0 ${ht}H${w}"/>` +
    series('pain_during_avg', 'during') + series('morning_pain', 'morning') + '</svg>';
  const avg = (key, part) => {
    const vals = part.map((d) => d[key]).filter((v) => v != null);
    return vals.length ? number(vals.reduce((a, b) => a + b, 0) / vals.length, { maximumFractionDigits: 1 }) : '–';
  };
  const first = days.slice(0, 7), last = days.slice(-7);
  return h('figure', { class: 'card trend' },
    h('div', { class: 'chart', html: svg }),
    h('figcaption', {},
      h('p', { class: 'legend' }, h('span', { class: 'key during' }), _('Pain during exercise'), ' ', h('span', { class: 'key morning' }), _('Morning pain')),
      h('p', {}, _('Average pain during exercise: {a} in the first week, {b} in the last week.', { a: avg('pain_during_avg', first), b: avg('pain_during_avg', last) })),
      h('p', {}, _('Average morning pain: {a} in the first week, {b} in the last week.', { a: avg('morning_pain', first), b: avg('morning_pain', last) }))));
}

export default async function progressView() {
  const p = await loadProgress();
  const days = p.days || [];
  mount(_('Progress'),
    p.offline ? h('p', { class: 'note' }, _('Offline: showing figures saved on this phone.')) : null,
    h('div', { class: 'stats' },
      h('p', { class: 'stat card' }, h('strong', {}, number(p.streak || 0)), p.streak === 1 ? _('day in a row') : _('days in a row')),
      h('p', { class: 'stat card' }, h('strong', {}, number((p.adherence_percent || 0) / 100, { style: 'percent' })), _('of sessions done (4 weeks)'))),
    (p.questionnaires_due || []).length ? h('section', { class: 'card callout' }, h('h2', {}, _('Questionnaires to fill in')),
      h('ul', { class: 'plain' }, p.questionnaires_due.map((q) => h('li', {}, link(`#/questionnaire/${encodeURIComponent(q.code)}`, q.name, 'btn'))))) : null,
    h('h2', {}, _('Last 4 weeks')),
    calendar(days),
    h('p', { class: 'legend' }, h('span', { class: 'key full' }), _('all done'), ' ', h('span', { class: 'key part' }), _('some done'), ' ',
      h('span', { class: 'key none' }), _('none done'), ' ', h('span', { class: 'key rest' }), _('rest day')),
    h('h2', {}, _('Pain trend')),
    trend(days),
    h('p', {}, link('#/learn', _('Learn about pain and recovery'), 'btn')));
  const due = (p.questionnaires_due || []).map((q) => q.code);
  if (due.length && !p.offline) import('./questionnaire.js').then((m) => m.keepForOffline(due), () => {});
}
