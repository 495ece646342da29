// Exercise player view: instructions, media, hold countdown, set/rep counter, rest timer, sides.
import { _, locale } from '../i18n.js';
import { createPlayer, beep, reducedMotion } from '../player.js';
import { h, mount, doseText, sideText, link, drawing } from '../ui.js';
import { loadToday } from './today.js';

let wakeLock = null;
let stopCurrent = null;

/** Leave the page: stop timers and let the screen sleep again. */
export function leavePlayer() {
  if (canSpeak()) speechSynthesis.cancel();
  if (stopCurrent) stopCurrent();
  stopCurrent = null;
  if (wakeLock) wakeLock.release().catch(() => {});
  wakeLock = null;
}

const canSpeak = () => 'speechSynthesis' in window && typeof SpeechSynthesisUtterance === 'function';

/** "Read aloud": the browser's speech synthesis reads the exercise in the app's language;
 * a second tap stops it. No button where the browser cannot speak. */
function readAloud(lines) {
  if (!canSpeak()) return null;
  const button = h('button', { type: 'button', class: 'btn', 'aria-pressed': 'false' }, _('Read aloud'));
  const done = () => button.setAttribute('aria-pressed', 'false');
  button.addEventListener('click', () => {
    if (button.getAttribute('aria-pressed') === 'true') { speechSynthesis.cancel(); return done(); }
    speechSynthesis.cancel();
    const said = new SpeechSynthesisUtterance(lines.filter(Boolean).join('\n'));
    said.lang = locale();
    const voice = speechSynthesis.getVoices().find((v) => v.lang && v.lang.toLowerCase().startsWith(locale()));
    if (voice) said.voice = voice;
    said.onend = done;
    said.onerror = done;
    button.setAttribute('aria-pressed', 'true');
    speechSynthesis.speak(said);
  });
  return button;
}

/** The clinic's own picture and video of the exercise, if it has them. */
function clinicMedia(ex) {
  return [
    ex.image_url ? h('img', { class: 'photo', src: ex.image_url, alt: _('Picture of the exercise: {name}', { name: ex.name }) }) : null,
    ex.video_url ? h('video', { class: 'photo', src: ex.video_url, controls: true, preload: 'metadata', playsinline: true,
      'aria-label': _('Video of the exercise: {name}', { name: ex.name }) }) : null,
  ];
}

/** "Save for offline": the service worker stores the exercise's pictures and video and says
 * how many it stored; nothing is stored before the patient asks. */
function saveOffline(ex) {
  const urls = [ex.media_url, ex.image_url, ex.video_url].filter(Boolean);
  const worker = navigator.serviceWorker?.controller;
  if (!urls.length || !worker) return null;
  const status = h('p', { class: 'hint', role: 'status' });
  const button = h('button', { type: 'button', class: 'btn' }, _('Save for offline'));
  button.addEventListener('click', () => {
    button.disabled = true;
    status.textContent = _('Saving…');
    const channel = new MessageChannel();
    channel.port1.onmessage = ({ data }) => {
      button.disabled = false;
      status.textContent = data.saved === data.total ? _('Saved: this exercise works without a connection.')
        : _('Not everything was saved. Try again when you are online.');
    };
    worker.postMessage({ type: 'save-offline', urls }, [channel.port2]);
  });
  return h('div', { class: 'save-offline' }, button, status);
}

const sideWord = (side) => ({ left: _('Left side'), right: _('Right side') }[side] || '');

export default async function exerciseView({ id }) {
  const today = await loadToday();
  const item = today.items.find((i) => String(i.prescription_id) === id);
  if (!item) return mount(_('Exercise not found'), h('p', {}, _('This exercise is no longer in your program.')), link('#/today', _('Back to today')));
  const { exercise: ex, dose } = item;
  const live = h('p', { class: 'sr-only', 'aria-live': 'assertive' });
  const big = h('p', { class: 'timer', 'aria-hidden': 'true' });
  const setLine = h('p', { class: 'set-line' });
  const sideLine = h('p', { class: 'side-line' });
  const repBtn = h('button', { type: 'button', class: 'btn primary huge' });
  const setBtn = h('button', { type: 'button', class: 'btn' }, _('Finish this set'));
  const skipBtn = h('button', { type: 'button', class: 'btn', hidden: true }, _('Skip rest'));
  const logBtn = link(`#/log/${item.prescription_id}`, _('Log this session'), 'btn primary big');
  logBtn.hidden = true;
  const bar = h('span', {});
  const meter = h('span', { class: `meter timer-bar${reducedMotion() ? '' : ' animate'}`, 'aria-hidden': 'true' }, bar);

  const paint = (s) => {
    const ev = s.event;
    // Finished: say so, not "Set 3 of 3 · 0 of 12 reps" (the counters restart after each set).
    if (s.phase === 'done') setLine.textContent = s.sets === 1 ? _('Set done') : _('All {n} sets done', { n: s.sets });
    else {
      setLine.textContent = _('Set {set} of {sets}', { set: s.set, sets: s.sets }) +
        ' · ' + (s.reps ? _('{rep} of {reps} reps', { rep: s.rep, reps: s.reps }) : _('Reps done: {n}', { n: s.rep }));
    }
    sideLine.textContent = sideWord(s.side());
    sideLine.hidden = !s.side() || s.phase === 'done';
    const timed = s.phase === 'hold' || s.phase === 'rest';
    big.hidden = !timed;
    meter.hidden = !timed;
    if (timed) {
      big.textContent = String(s.remaining);
      const total = s.phase === 'hold' ? s.hold : s.rest;
      bar.style.width = `${Math.round((100 * s.remaining) / total)}%`;
    }
    repBtn.hidden = s.phase === 'done' || s.phase === 'rest';
    repBtn.textContent = s.phase === 'hold' ? _('Stop hold') : s.hold ? _('Start {n}-second hold', { n: s.hold }) : _('Rep done');
    setBtn.hidden = s.phase !== 'work';
    skipBtn.hidden = s.phase !== 'rest';
    logBtn.hidden = s.phase !== 'done';
    const announce = {
      'switch-side': _('Now the same on the {side}.', { side: sideText(s.side()) }),
      'next-set': _('Set {set} of {sets}', { set: s.set, sets: s.sets }),
      'rest-over': _('Rest over. Set {set} of {sets}', { set: s.set, sets: s.sets }),
      done: _('All sets done. Log how it went.'),
      stopped: _('Hold stopped.'),
    }[ev];
    if (s.phase === 'hold' && ev === 'tick' && s.remaining === s.hold) live.textContent = _('Hold for {n} seconds', { n: s.hold });
    else if (s.phase === 'rest' && ev === 'tick' && s.remaining === s.rest) live.textContent = _('Rest for {n} seconds', { n: s.rest });
    else if (announce) live.textContent = announce;
    else if (ev === 'rep') live.textContent = s.hold ? _('Relax. {n} done.', { n: s.rep }) : String(s.rep);
    if (['switch-side', 'rest-over', 'done'].includes(ev) || (ev === 'rep' && s.hold)) beep();
    if (ev === 'done') logBtn.href = `#/log/${item.prescription_id}?sets=${s.setsDone}&reps=${s.lastReps || s.reps}`;
  };
  const player = createPlayer(dose, paint);
  repBtn.addEventListener('click', () => (player.state.phase === 'hold' ? player.stopHold() : player.rep()));
  setBtn.addEventListener('click', () => player.finishSet());
  skipBtn.addEventListener('click', () => player.skipRest());
  leavePlayer();
  stopCurrent = player.stop;
  if (navigator.wakeLock) navigator.wakeLock.request('screen').then((l) => { wakeLock = l; }, () => {});

  mount(ex.name,
    h('p', { class: 'dose lead' }, doseText(dose)),
    readAloud([ex.name, doseText(dose), ex.summary, ...(ex.steps || []), ...(ex.cues || []), ex.safety]),
    ex.media_url ? drawing(ex.media_url, _('Illustration of the exercise: {name}', { name: ex.name })) : null,
    clinicMedia(ex),
    saveOffline(ex),
    ex.summary ? h('p', {}, ex.summary) : null,
    dose.notes ? h('p', { class: 'card note' }, h('strong', {}, _('From your therapist:')), ' ', dose.notes) : null,
    h('section', { class: 'card player', 'aria-label': _('Exercise timer and counter') },
      dose.side === 'alternate' ? h('p', { class: 'hint' }, _('Switch sides with each rep.')) : null,
      setLine, sideLine, big, meter, repBtn, skipBtn, setBtn, logBtn, live),
    dose.pain_ceiling != null ? h('p', { class: 'note' }, _('Keep pain at or below {n} out of 10 while you do this. If it goes higher, do less or stop, and log it.', { n: dose.pain_ceiling })) : null,
    ex.steps && ex.steps.length ? [h('h2', {}, _('How to do it')), h('ol', { class: 'steps' }, ex.steps.map((t) => h('li', {}, t)))] : null,
    ex.cues && ex.cues.length ? [h('h2', {}, _('Tips')), h('ul', {}, ex.cues.map((t) => h('li', {}, t)))] : null,
    ex.safety ? h('aside', { class: 'card caution' }, h('h2', {}, _('Safety')), h('p', {}, ex.safety)) : null,
    h('p', { class: 'actions' }, link(`#/log/${item.prescription_id}`, _('Log without the timer'), 'btn'), link('#/today', _('Back to today'), 'btn')));
  paint(player.state);
}
