// Offline outbox, the page's side: queue a write, try it at once, tell the views when the
// queue changes. The stores and the rule for each server answer live in outbox-core.js,
// which the service worker loads too (Background Sync replays with the app closed).
import './outbox-core.js';

const core = globalThis.hepOutboxCore;

export const { pending, rejected, kvSet } = core;

const listeners = new Set();

export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function changed() {
  listeners.forEach((fn) => fn());
}

export async function dismiss(seq) {
  await core.dismiss(seq);
  changed();
}

async function requestSync() {
  try {
    const reg = await navigator.serviceWorker.ready;
    if (reg.sync) await reg.sync.register(core.SYNC_TAG);
  } catch (e) { /* no Background Sync: the app replays on open and on 'online' */ }
}

/**
 * Queue a write and try to send it now.
 * kind: 'completion' | 'correction' | 'checkin' | 'questionnaire'; label: shown while waiting.
 * Returns {synced: bool, data?: server reply, rejected?: ApiError}.
 */
export async function enqueue(kind, url, body, label) {
  const seq = await core.add({ kind, url, body, label, created: Date.now() });
  changed();
  requestSync();
  const results = await flush();
  return results.get(seq) || { synced: false };
}

let flushing = null;

/** Replay the queue by the core's rule; one run at a time per page. Map seq -> result. */
export function flush() {
  if (!flushing) {
    flushing = core.replay()
      .then(({ results }) => results)
      .finally(() => { flushing = null; changed(); });
  }
  return flushing;
}
