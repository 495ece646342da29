// Small DOM helpers and the shared widgets (sliders, dose text, messages).
import { _, number } from './i18n.js';

/** h('button', {class: 'btn', onclick}, 'text', child...) -> Element */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'html') el.innerHTML = v; // only for our own static SVG markup
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const drawings = new Map();

/** An exercise drawing shown inline, so its strokes (currentColor) follow the text colour in
 * light and dark mode (an <img> would always draw them black). The markup is our own static
 * SVG, fetched through the service worker (cached after first view, offline after "save");
 * it is parsed as SVG, never as HTML, and only an <svg> root without scripts is used. */
export function drawing(url, label, cls = 'media') {
  const box = h('figure', label ? { class: cls, role: 'img', 'aria-label': label } : { class: cls, 'aria-hidden': 'true' });
  loadDrawing(url).then((svg) => { if (svg) box.replaceChildren(svg); }, () => {});
  return box;
}

async function loadDrawing(url) {
  if (!drawings.has(url)) {
    const res = await fetch(url);
    if (!res.ok) return null;
    drawings.set(url, await res.text());
  }
  const svg = new DOMParser().parseFromString(drawings.get(url), 'image/svg+xml').documentElement;
  if (svg.localName !== 'svg' || svg.querySelector('script, foreignObject')) return null;
  for (const a of ['width', 'height']) svg.removeAttribute(a);
  svg.setAttribute('aria-hidden', 'true');
  return document.importNode(svg, true);
}

/** Text sizes the patient can choose (percent of the browser's own size); the layout holds
 * at every step on a 360 px wide phone (the CSS sizes everything in rem). */
export const TEXT_SIZES = [100, 125, 150, 200];
const TEXT_SIZE_KEY = 'hep_text_size';

/** Apply a text size (an index of TEXT_SIZES); `save` remembers it on this phone. */
export function textSize(step, save = false) {
  const n = Math.min(Math.max(Number(step) || 0, 0), TEXT_SIZES.length - 1);
  document.documentElement.dataset.textSize = String(n);
  if (save) try { localStorage.setItem(TEXT_SIZE_KEY, String(n)); } catch (e) { /* private mode */ }
  return n;
}

/** The text size saved on this phone (0 when none). */
export function savedTextSize() {
  try { return Number(localStorage.getItem(TEXT_SIZE_KEY)) || 0; } catch (e) { return 0; }
}

/** Replace the main view, set the document title and move focus to the heading. */
export function mount(title, ...children) {
  const main = document.getElementById('main');
  const heading = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren(heading, ...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  document.title = `${title} · ${_('My exercises')}`;
  if (mount.focus) heading.focus({ preventScroll: false });
  mount.focus = true;
  window.scrollTo(0, 0);
  return main;
}

let toastTimer = null;
/** A short message read out by screen readers. */
export function say(text) {
  const el = document.getElementById('toast') || document.body.appendChild(h('div', { id: 'toast', class: 'toast', role: 'status' }));
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 5000);
}

export function painWord(n) {
  if (n === 0) return _('No pain');
  if (n <= 3) return _('Mild');
  if (n <= 6) return _('Moderate');
  if (n <= 9) return _('Severe');
  return _('Worst imaginable');
}

export function effortWord(n) {
  if (n === 0) return _('Rest');
  if (n <= 2) return _('Very easy');
  if (n <= 4) return _('Easy');
  if (n <= 6) return _('Moderate');
  if (n <= 8) return _('Hard');
  if (n === 9) return _('Very hard');
  return _('Maximal');
}

/** A native 0-10 range input with a label, its value in words, and end labels. */
export function slider({ name, label, hint, value = 0, words = painWord, low, high }) {
  const id = `f-${name}`;
  const out = h('output', { for: id, class: 'slider-value' });
  const input = h('input', { type: 'range', id, name, min: 0, max: 10, step: 1, value, 'aria-describedby': `${id}-hint` });
  const show = () => {
    const n = Number(input.value);
    const text = `${number(n)} – ${words(n)}`;
    out.textContent = text;
    input.setAttribute('aria-valuetext', text);
  };
  input.addEventListener('input', show);
  show();
  return h('div', { class: 'field slider' },
    h('label', { for: id }, label), out, input,
    h('div', { class: 'slider-ends', 'aria-hidden': 'true' }, h('span', {}, low), h('span', {}, high)),
    h('p', { class: 'hint', id: `${id}-hint` }, hint));
}

/** A number field with large − and + buttons. */
export function stepper({ name, label, value = 0, min = 0, max = 100 }) {
  const id = `f-${name}`;
  const input = h('input', { type: 'number', id, name, min, max, value, inputmode: 'numeric', required: true });
  const bump = (d) => () => {
    input.value = Math.min(max, Math.max(min, (Number(input.value) || 0) + d));
    input.dispatchEvent(new Event('input'));
  };
  return h('div', { class: 'field stepper' }, h('label', { for: id }, label),
    h('div', { class: 'stepper-row' },
      h('button', { type: 'button', class: 'btn round', onclick: bump(-1), 'aria-label': _('Decrease {label}', { label }) }, '−'),
      input,
      h('button', { type: 'button', class: 'btn round', onclick: bump(1), 'aria-label': _('Increase {label}', { label }) }, '+')));
}

/** Radio buttons in a fieldset; options: [[value, label], ...]. */
export function choices({ name, legend, options, hint, onchange }) {
  return h('fieldset', { class: 'field choices' }, h('legend', {}, legend), hint ? h('p', { class: 'hint' }, hint) : null,
    options.map(([value, text]) => h('label', { class: 'choice' },
      h('input', { type: 'radio', name, value, required: true, onchange }), h('span', {}, text))));
}

export function sideText(side) {
  return { both: _('each side'), left: _('left side'), right: _('right side'), alternate: _('alternating sides') }[side] || '';
}

/** "3 sets · 10 reps · hold 5 s · each side" */
export function doseText(dose) {
  const parts = [];
  if (dose.sets) parts.push(dose.sets === 1 ? _('1 set') : _('{n} sets', { n: dose.sets }));
  if (dose.reps) parts.push(dose.reps === 1 ? _('1 rep') : _('{n} reps', { n: dose.reps }));
  if (dose.hold_seconds) parts.push(_('hold {n} s', { n: dose.hold_seconds }));
  if (sideText(dose.side)) parts.push(sideText(dose.side));
  if (dose.load) parts.push(String(dose.load));
  return parts.join(' · ');
}

export function phaseName(phase) {
  return { calm: _('Calm the nerves'), exposure: _('Graded exposure'), load: _('Strength and load') }[phase] || phase || '';
}

/** An error box for a failed load, with what the patient can do. */
export function problem(err, offline) {
  const text = offline
    ? _('You are offline and this page has not been saved on this phone yet. Connect to the internet once and it will work offline after that.')
    : _('Something went wrong: {detail}', { detail: err.message || String(err) });
  return h('p', { class: 'alert', role: 'alert' }, text);
}

export function link(href, text, cls = 'btn') {
  return h('a', { href, class: cls }, text);
}
