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

const short = (day) => date(day, { day: 'numeric', month: 'short' });
const fmt = (v) => (v == null ? '–' : number(v, { maximumFractionDigits: 1 }));

/** The pain chart: 0-10 on the y axis, dates on the x axis; a role=img SVG whose name says
 * what it shows, with the day-by-day values in a table below for anyone who cannot see it. */
function trend(days) {
  const left = 28, top = 8, w = 300, ht = 120, bottom = 24, n = Math.max(days.length - 1, 1);
  const x = (i) => (left + (i / n) * w).toFixed(1);
  const y = (v) => (top + ht - (v / 10) * ht).toFixed(1);
  const pts = (key) => days.map((d, i) => (d[key] == null ? null : [x(i), y(d[key])])).filter(Boolean);
  const series = (key, cls) => `<polyline class="${cls}" points="${pts(key).map((p) => p.join(',')).join(' ')}"/>` +
    pts(key).map(([cx, cy]) => `<circle class="${cls}" cx="${cx}" cy="${cy}" r="4"/>`).join('');
  const yAxis = [0, 5, 10].map((v) => `<path class="grid" d="M${left} ${y(v)}H${left + w}"/>` +
    `<text class="tick" x="${left - 6}" y="${y(v)}" text-anchor="end" dominant-baseline="middle">${number(v)}</text>`).join('');
  const ticks = days.length > 1 ? [0, Math.round((days.length - 1) / 2), days.length - 1] : days.length ? [0] : [];
  const xAxis = `<path class="axis" d="M${left} ${top}V${top + ht}H${left + w}"/>` + ticks.map((i, k) =>
    `<text class="tick" x="${x(i)}" y="${top + ht + 18}" text-anchor="${['start', 'middle', 'end'][ticks.length === 1 ? 0 : k]}">${short(days[i].date)}</text>`).join('');
  const avg = (key, part) => {
    const vals = part.map((d) => d[key]).filter((v) => v != null);
    return vals.length ? number(vals.reduce((a, b) => a + b, 0) / vals.length, { maximumFractionDigits: 1 }) : '–';
  };
  const first = days.slice(0, 7), last = days.slice(-7);
  const name = days.length
    ? _('Pain chart from {start} to {end}, 0 (no pain) to 10 (worst).', { start: short(days[0].date), end: short(days[days.length - 1].date) })
    : _('Pain chart: nothing logged yet.');
  const svg = `<svg viewBox="0 0 ${left + w + 8} ${top + ht + bottom}" focusable="false">${yAxis}${xAxis}` +
    series('pain_during_avg', 'during') + series('morning_pain', 'morning') + '</svg>';
  const chart = h('div', { class: 'chart', role: 'img', 'aria-label': name, html: svg });
  chart.firstChild.setAttribute('aria-hidden', 'true');
  const rows = days.filter((d) => d.pain_during_avg != null || d.morning_pain != null);
  return h('figure', { class: 'card trend' },
    chart,
    h('figcaption', {},
      h('p', { class: 'legend' }, h('span', { class: 'key during' }), _('Pain during exercise'), ' ', h('span', { class: 'key morning' }), _('Morning pain')),
      h('p', {}, _('Average pain during exercise: {a} in the first week, {b} in the last week.', { a: avg('pain_during_avg', first), b: avg('pain_during_avg', last) })),
      h('p', {}, _('Average morning pain: {a} in the first week, {b} in the last week.', { a: avg('morning_pain', first), b: avg('morning_pain', last) }))),
    rows.length ? h('details', { class: 'pain-table' }, h('summary', {}, _('Pain day by day')),
      h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, _('Day')), h('th', { scope: 'col' }, _('Pain during exercise')), h('th', { scope: 'col' }, _('Morning pain')))),
        h('tbody', {}, rows.map((d) => h('tr', {}, h('th', { scope: 'row' }, short(d.date)), h('td', {}, fmt(d.pain_during_avg)), h('td', {}, fmt(d.morning_pain))))))) : null);
}

/** The scheduled questionnaires not due yet, with the day each comes (the therapist's schedule). */
function upcoming(schedule) {
  const later = schedule.filter((q) => !q.due);
  return later.length ? h('section', { class: 'card', 'aria-labelledby': 'next-questionnaires' },
    h('h2', { id: 'next-questionnaires' }, _('Next questionnaires')),
    h('ul', { class: 'plain' }, later.map((q) => h('li', {}, _('{name}: {day}', { name: q.name, day: date(q.due_on) }))))) : null;
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
    upcoming(p.questionnaires_schedule || []),
    h('h2', {}, days.length < 28 ? _('Since your program started') : _('Last 4 weeks')),
    calendar(days),
    h('p', { class: 'legend' }, h('span', { class: 'key full' }), _('all done'), ' ', h('span', { class: 'key part' }), _('some done'), ' ',
      h('span', { class: 'key none' }), _('none done'), ' ', h('span', { class: 'key rest' }), _('rest day')),
    h('h2', {}, _('Pain trend')),
    trend(days),
    h('p', {}, link('#/learn', _('Learn about pain and recovery'), 'btn')));
  const due = (p.questionnaires_due || []).map((q) => q.code);
  if (due.length && !p.offline) import('../lazy/questionnaire.js').then((m) => m.keepForOffline(due), () => {});
}
