// Exercise player state: sets, reps, sides, hold countdown and rest timer. No DOM here.

export const reducedMotion = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Count down `seconds` against the clock (robust to throttled timers). Returns cancel(). */
export function countdown(seconds, onTick, onDone) {
  const end = Date.now() + seconds * 1000;
  let last = null;
  const tick = () => {
    const left = Math.max(0, Math.ceil((end - Date.now()) / 1000));
    if (left !== last) { last = left; onTick(left); }
    if (left === 0) { clearInterval(timer); onDone(); }
  };
  const timer = setInterval(tick, 200);
  tick();
  return () => clearInterval(timer);
}

let audio = null;
/** A short beep so the patient does not have to watch the screen (created on a tap). */
export function beep() {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.frequency.value = 880;
    gain.gain.setValueAtTime(0.2, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.3);
    osc.connect(gain).connect(audio.destination);
    osc.start();
    osc.stop(audio.currentTime + 0.3);
  } catch (e) { /* no audio */ }
  if (navigator.vibrate) navigator.vibrate(200);
}

/**
 * Player for one dose. state.phase: 'work' | 'hold' | 'rest' | 'done'.
 * 'both' sides: each set is done on the left then on the right; 'alternate': sides swap each rep.
 */
export function createPlayer(dose, onChange) {
  const sides = dose.side === 'both' ? ['left', 'right'] : ['left', 'right'].includes(dose.side) ? [dose.side] : [null];
  const s = {
    set: 1, sets: Math.max(1, dose.sets || 1), rep: 0, reps: dose.reps || 0, sideIndex: 0, sides,
    phase: 'work', remaining: 0, setsDone: 0, lastReps: 0, event: null,
    alternate: dose.side === 'alternate', hold: dose.hold_seconds || 0, rest: dose.rest_seconds || 0,
  };
  let cancel = null;
  const emit = (event) => { s.event = event; onChange(s); };
  const stopTimer = () => { if (cancel) cancel(); cancel = null; };

  s.side = () => (s.alternate ? (s.rep % 2 === 0 ? 'left' : 'right') : s.sides[s.sideIndex]);

  function finishSide() {
    s.lastReps = s.rep;
    if (s.sideIndex < s.sides.length - 1) {
      s.sideIndex += 1;
      s.rep = 0;
      return emit('switch-side');
    }
    s.setsDone += 1;
    s.sideIndex = 0;
    s.rep = 0;
    if (s.set >= s.sets) { s.phase = 'done'; return emit('done'); }
    s.set += 1;
    if (s.rest > 0) {
      s.phase = 'rest';
      cancel = countdown(s.rest, (left) => { s.remaining = left; emit('tick'); }, () => { cancel = null; s.phase = 'work'; emit('rest-over'); });
    } else emit('next-set');
  }

  function countRep() {
    s.rep += 1;
    if (s.reps && s.rep >= s.reps) finishSide();
    else emit('rep');
  }

  return {
    state: s,
    /** The main button: count a rep, or start the hold that counts one. */
    rep() {
      if (s.phase !== 'work') return;
      if (!s.hold) return countRep();
      s.phase = 'hold';
      cancel = countdown(s.hold, (left) => { s.remaining = left; emit('tick'); }, () => { cancel = null; s.phase = 'work'; countRep(); });
    },
    stopHold() { if (s.phase === 'hold') { stopTimer(); s.phase = 'work'; emit('stopped'); } },
    finishSet() { if (s.phase === 'work') { stopTimer(); finishSide(); } },
    skipRest() { if (s.phase === 'rest') { stopTimer(); s.phase = 'work'; emit('rest-over'); } },
    stop: stopTimer,
  };
}
