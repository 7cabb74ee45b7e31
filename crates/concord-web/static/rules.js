// The routing-rule editor: add, remove and reorder rules; every field's name is kept as
// rules[N].… in the order shown, so that forms.js sends the table as it reads.
(function () {
  'use strict';
  var list = document.getElementById('rules');
  var template = document.getElementById('rule-template');
  if (!list || !template) return;
  var fresh = 0;

  function renumber() {
    list.querySelectorAll('[data-rule]').forEach(function (rule, i) {
      rule.querySelectorAll('[name^="rules["]').forEach(function (el) {
        el.name = el.name.replace(/^rules\[[^\]]*\]/, 'rules[' + i + ']');
      });
      rule.querySelectorAll('[data-for^="rules["]').forEach(function (el) {
        el.dataset.for = el.dataset.for.replace(/^rules\[[^\]]*\]/, 'rules[' + i + ']');
      });
      rule.querySelector('.rule-no').textContent = String(i + 1);
    });
  }

  document.getElementById('add-rule').addEventListener('click', function () {
    var id = 'new' + (fresh++);
    var html = template.innerHTML.replace(/rule-__i__/g, 'rule-' + id);
    list.insertAdjacentHTML('beforeend', html);
    renumber();
    var added = list.lastElementChild;
    added.querySelector('input').focus();
  });

  list.addEventListener('click', function (ev) {
    var button = ev.target.closest('button[data-move]');
    if (!button) return;
    var rule = button.closest('[data-rule]');
    var move = button.dataset.move;
    if (move === 'up' && rule.previousElementSibling) list.insertBefore(rule, rule.previousElementSibling);
    else if (move === 'down' && rule.nextElementSibling) list.insertBefore(rule.nextElementSibling, rule);
    else if (move === 'remove') rule.remove();
    renumber();
    if (move !== 'remove') button.focus();
  });

  renumber();
})();
