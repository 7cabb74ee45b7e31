// The case page: a party's new code is shown where it was asked for (once: it is not
// kept in clear), for the mediator to hand over with the case number; a party's full
// numbers, when asked for, replace the masked ones.
(function () {
  'use strict';
  document.addEventListener('api:done', function (ev) {
    var form = ev.target;
    if (form.classList.contains('party-reveal')) {
      // Shown in place of the masked values; the view is already on the record.
      var row = form.closest('tr');
      row.querySelector('.party-phone').textContent = ev.detail.phone || '';
      row.querySelector('.party-id').textContent = ev.detail.id_number || '';
      form.hidden = true;
      return;
    }
    if (!form.classList.contains('party-code')) return;
    var out = form.querySelector('output');
    out.textContent = '查询码:' + ev.detail.code;
    out.className = 'code';
    form.querySelector('button').hidden = true;
  });
})();
