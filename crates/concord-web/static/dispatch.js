// The dispatch board: drag a case onto a unit to assign it. Dropping fills the case's own
// form (the unit, its level) and sends it, so drag and keyboard take one path; a unit
// other than the suggested one is refused without a reason, which forms.js shows next to
// the reason field and focuses.
(function () {
  'use strict';
  var dragged = null;

  function levelOf(form) {
    var select = form.querySelector('select[name="lead_unit"]');
    var opt = select.options[select.selectedIndex];
    var level = form.querySelector('input[name="level"]');
    if (opt && opt.dataset.level) level.value = opt.dataset.level;
  }

  document.querySelectorAll('.assign-form select[name="lead_unit"]').forEach(function (s) {
    s.addEventListener('change', function () { levelOf(s.form); });
  });

  document.querySelectorAll('.dispatch-card').forEach(function (card) {
    card.addEventListener('dragstart', function (ev) {
      dragged = card;
      card.classList.add('dragging');
      ev.dataTransfer.effectAllowed = 'move';
      ev.dataTransfer.setData('text/plain', card.dataset.case);
    });
    card.addEventListener('dragend', function () {
      card.classList.remove('dragging');
      document.querySelectorAll('.drop.over').forEach(function (d) { d.classList.remove('over'); });
    });
  });

  document.querySelectorAll('.drop').forEach(function (zone) {
    zone.addEventListener('dragover', function (ev) { ev.preventDefault(); zone.classList.add('over'); });
    zone.addEventListener('dragleave', function () { zone.classList.remove('over'); });
    zone.addEventListener('drop', function (ev) {
      ev.preventDefault();
      zone.classList.remove('over');
      var id = ev.dataTransfer.getData('text/plain');
      var card = dragged || document.getElementById('card-' + id);
      dragged = null;
      if (!card) return;
      var form = card.querySelector('.assign-form');
      form.querySelector('select[name="lead_unit"]').value = zone.dataset.unit;
      levelOf(form);
      form.requestSubmit();
    });
  });
})();
