// The case page: a party's new code is shown where it was asked for (once: it is not
// kept in clear), for the mediator to hand over with the case number.
(function () {
  'use strict';
  document.addEventListener('api:done', function (ev) {
    var form = ev.target;
    if (!form.classList.contains('party-code')) return;
    var out = form.querySelector('output');
    out.textContent = '查询码:' + ev.detail.code;
    out.className = 'code';
    form.querySelector('button').hidden = true;
  });
})();
