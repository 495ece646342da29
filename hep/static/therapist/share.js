// The join link's "Copy link" button: shown only where the clipboard can be written, so
// without it (or without JavaScript) the link stays a field to select and copy by hand.
'use strict';

for (const button of document.querySelectorAll('button.copy-link')) {
  const field = document.getElementById(button.dataset.copy);
  const status = button.parentElement.querySelector('.copy-status');
  if (!field || !navigator.clipboard || !window.isSecureContext) continue;
  button.hidden = false;
  // Copy the link and say so in the status line (read out by screen readers).
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(field.value);
      status.textContent = button.dataset.copied;
    } catch (err) {
      field.select();
      status.textContent = button.dataset.failed;
    }
  });
}
