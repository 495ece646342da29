// The handout's "Print" button: shown with JavaScript only; without it the page says to use
// the browser's own Print command.
'use strict';

const button = document.getElementById('print-now');
if (button) {
  button.hidden = false;
  // Open the browser's print dialog (the print rules of handout.css lay the page out).
  button.addEventListener('click', () => window.print());
}
