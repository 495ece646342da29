// Join page: posts the invite token only when the patient taps the button.
const form = document.getElementById('join-form');
const error = document.getElementById('join-error');
const msg = (key) => document.getElementById('join-messages').content.querySelector(`[data-key="${key}"]`).textContent;

async function csrfToken() {
  const res = await fetch('/api/v1/me', { credentials: 'same-origin', cache: 'no-store' });
  return (await res.json()).csrf_token;
}

// This page sends no referrer (its URL holds the token), but over https the CSRF check
// wants a same-origin Referer on a POST: name the site's root instead of this page.
async function join(token, csrf) {
  return fetch('/api/v1/auth/join', {
    method: 'POST',
    credentials: 'same-origin',
    referrer: '/',
    referrerPolicy: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify({ token }),
  });
}

form?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = form.querySelector('button');
  button.disabled = true;
  button.textContent = msg('working');
  error.hidden = true;
  try {
    let res = await join(form.dataset.token, await csrfToken());
    if (res.status === 400 || res.status === 403) res = await join(form.dataset.token, await csrfToken());
    if (res.ok) {
      location.assign('/app/#/today');
      return;
    }
    // One message: the page's own says what the server's detail would say again.
    error.textContent = msg('failed');
  } catch (err) {
    error.textContent = msg('offline');
  }
  error.hidden = false;
  button.disabled = false;
  button.textContent = form.dataset.label;
});
form.dataset.label = form.querySelector('button').textContent;
