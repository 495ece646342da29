// Pain-education cards (texts come from the server in the patient's language).
import { _, number } from '../i18n.js';
import { h, mount } from '../ui.js';
import { loadProgress } from './progress.js';

export default async function learnView() {
  const p = await loadProgress();
  const cards = p.education || [];
  mount(_('Learn'),
    h('p', { class: 'lead' }, _('Short reads about pain and recovery. Understanding pain is part of the treatment.')),
    cards.length ? h('ul', { class: 'cards' }, cards.map((c) => h('li', { class: 'card' },
      h('details', {},
        h('summary', {}, h('span', { class: 'card-title' }, c.title),
          h('span', { class: 'hint' }, c.summary, c.reading_minutes ? ' · ' + _('{n} min read', { n: number(c.reading_minutes) }) : '')),
        (c.body || []).map((para) => h('p', {}, para)))))) : h('p', {}, _('Nothing to read yet.')));
}
