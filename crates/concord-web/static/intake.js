// The clerk's intake form: villages follow the township; the petition block follows the
// kind; and as the clerk types, the center's advice (suggested category, route, what it
// has seen before) comes from /api/v1/intake/check without storing anything.
(function () {
  'use strict';
  var form = document.getElementById('intake');
  var $ = function (id) { return document.getElementById(id); };
  var csrf = window.concord.csrf;

  $('township').addEventListener('change', async function () {
    var sel = $('region');
    sel.innerHTML = '<option value="">请选择村(社区)</option>';
    if (!this.value) return;
    var res = await fetch('/api/v1/regions?parent=' + this.value);
    var list = await res.json();
    var own = document.createElement('option');
    own.value = this.value; own.textContent = '(乡镇本级)';
    sel.appendChild(own);
    list.forEach(function (r) {
      var o = document.createElement('option');
      o.value = r.code; o.textContent = r.name; sel.appendChild(o);
    });
    check();
  });

  function follow() {
    var petition = $('kind').value === 'petition';
    $('petition').hidden = !petition; $('petition').disabled = !petition;
    var window_ = $('channel').value === 'window';
    $('window-row').hidden = !window_; $('window').disabled = !window_;
  }
  $('kind').addEventListener('change', follow);
  $('channel').addEventListener('change', follow);
  follow();

  var timer = null, seq = 0;
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(check, 400); });
  $('region').addEventListener('change', check);

  function esc(s) { var d = document.createElement('div'); d.textContent = s; return d.innerHTML; }

  // A draft good enough to check while the form is half filled: unnamed parties and
  // half-typed numbers are left out.
  function draft() {
    var body = window.concord.body(form);
    var parties = (body.parties || []).filter(function (p) { return p && p.name; }).map(function (p) {
      var q = { role: p.role, name: p.name };
      if (/^1\d{10}$/.test(p.phone || '')) q.phone = p.phone;
      if (/^\d{17}[\dXx]$/.test(p.id_number || '')) q.id_number = p.id_number;
      return q;
    });
    body.parties = parties.length ? parties : [{ role: 'applicant', name: '待填' }];
    return body;
  }

  async function check() {
    var body = draft();
    if (!body.description || body.description.length < 4 || !body.region) return;
    var mine = ++seq;
    var res = await fetch('/api/v1/intake/check', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(body)
    });
    if (mine !== seq || !res.ok) return;
    var a = await res.json();
    $('advice-empty').hidden = true;
    var s = a.classification || {};
    var top = (s.suggestions || []).map(function (t, i) {
      return '<li><button type="button" class="link pick" data-category="' + esc(t.category) + '">' + esc(t.label) +
        '</button> ' + Math.round(t.confidence * 100) + '%' + (i === 0 && t.words && t.words.length ? ' <span class="hint">(' + esc(t.words.join('、')) + ')</span>' : '') + '</li>';
    }).join('');
    $('advice-category').innerHTML = '<h3>建议类别</h3>' + (s.low_confidence ? '<p class="hint warn-text">把握不大,请人工判断</p>' : '') + '<ol>' + top + '</ol>';
    if (!$('category').value && s.suggestions && s.suggestions.length && !s.low_confidence) $('category').value = s.suggestions[0].category;
    var r = a.routing;
    $('advice-route').innerHTML = r ? '<h3>分流去向</h3><p>' + esc(r.level_label + ' · ' + r.tier_label + (r.unit_name ? ' · ' + r.unit_name : '')) + '</p><ul>' +
      (r.reasons || []).map(function (x) { return '<li>' + esc(x) + '</li>'; }).join('') + '</ul>' : '';
    var seen = a.seen || {};
    var items = [];
    function link(m) { return '<a href="/cases/' + m.case.id + '">' + esc(m.case.number) + '</a> <span class="hint">' + esc((m.why || []).join(';')) + '</span>'; }
    (seen.duplicates || []).forEach(function (m) { items.push('<li>可能是同一事项:' + link(m) + '</li>'); });
    if (seen.repeat_of) items.push('<li class="warn-text">重复访:' + link(seen.repeat_of) + '</li>');
    if (seen.skip_level_of) items.push('<li class="warn-text">越级访(下级仍在办理):' + link(seen.skip_level_of) + '</li>');
    $('advice-seen').innerHTML = items.length ? '<h3>此前相关事项</h3><ul>' + items.join('') + '</ul>' : '';
  }

  document.addEventListener('click', function (ev) {
    var b = ev.target.closest('.pick');
    if (b) { $('category').value = b.dataset.category; }
  });
})();
