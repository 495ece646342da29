// The program editor's reordering, enhanced: without this script "Move up" / "Move down"
// post the draft and the server swaps the two items; with it they move the item in place, and
// an item can be dragged by its title. Either way the hidden "order" field lists the items'
// original indexes in their new order, which is what the server reads (forms.posted_order).
(() => {
  'use strict';
  const form = document.querySelector('form.editor');
  const list = form && form.querySelector('.items');
  if (!list) return;
  const order = form.querySelector('input[name="order"]');
  const status = document.getElementById('reorder-status');
  const items = () => Array.from(list.querySelectorAll('fieldset.item'));

  // After every move: the hidden order, the numbers in the titles, the end buttons disabled.
  function renumber() {
    const all = items();
    order.value = all.map((item) => item.dataset.index).join(',');
    all.forEach((item, place) => {
      item.querySelector('.place').textContent = String(place + 1);
      item.querySelector('.move-up').disabled = place === 0;
      item.querySelector('.move-down').disabled = place === all.length - 1;
    });
  }

  function announce(item) {
    const all = items();
    const template = list.dataset.movedLabel || '';
    status.textContent = item.querySelector('.name').textContent + ': ' +
      template.replace('{n}', String(all.indexOf(item) + 1)).replace('{total}', String(all.length));
  }

  // A move button: move the item one place, keep the focus on a button of that item.
  form.addEventListener('click', (event) => {
    const button = event.target.closest('.move-up, .move-down');
    if (!button) return;
    event.preventDefault();
    const item = button.closest('fieldset.item');
    const up = button.classList.contains('move-up');
    const neighbour = up ? item.previousElementSibling : item.nextElementSibling;
    if (!neighbour || !neighbour.matches('fieldset.item')) return;
    list.insertBefore(item, up ? neighbour : neighbour.nextElementSibling);
    renumber();
    const focus = button.disabled ? item.querySelector(up ? '.move-down' : '.move-up') : button;
    focus.focus();
    announce(item);
  });

  // Drag by the title (the legend): the fields inside stay usable for typing and selecting.
  let dragged = null;
  items().forEach((item) => {
    const handle = item.querySelector('legend');
    handle.setAttribute('draggable', 'true');
    handle.classList.add('drag-handle');
  });
  list.addEventListener('dragstart', (event) => {
    const handle = event.target.closest && event.target.closest('legend.drag-handle');
    if (!handle) return;
    dragged = handle.closest('fieldset.item');
    dragged.classList.add('dragging');
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData('text/plain', dragged.dataset.index);
  });
  // Over another item: place the dragged one before or after it, by the pointer's half.
  list.addEventListener('dragover', (event) => {
    if (!dragged) return;
    const over = event.target.closest('fieldset.item');
    event.preventDefault();
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? over.nextElementSibling : over);
  });
  list.addEventListener('drop', (event) => { if (dragged) event.preventDefault(); });
  list.addEventListener('dragend', () => {
    if (!dragged) return;
    dragged.classList.remove('dragging');
    renumber();
    announce(dragged);
    dragged = null;
  });
})();
