// Hash router: '#/exercise/12?sets=3' -> the view registered for '/exercise/:id'.
const routes = [];

export function route(pattern, view) {
  const keys = [];
  const re = new RegExp('^' + pattern.replace(/:(\w+)/g, (m, k) => { keys.push(k); return '([^/]+)'; }) + '$');
  routes.push({ re, keys, view, pattern });
}

export function current() {
  const raw = location.hash.replace(/^#/, '') || '/today';
  const [path, query = ''] = raw.split('?');
  for (const r of routes) {
    const m = path.match(r.re);
    if (m) {
      const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1])]));
      return { view: r.view, params, query: new URLSearchParams(query), path, pattern: r.pattern };
    }
  }
  return null;
}

export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

export function start(render) {
  window.addEventListener('hashchange', () => render(current()));
  render(current());
}
