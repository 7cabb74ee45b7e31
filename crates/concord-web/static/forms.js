// Sends a staff page's forms to the JSON API, with the session's CSRF token, and shows
// each error next to the field it names. A form opts in with data-api:
//   <form data-api="/api/v1/cases/7/transitions" data-method="POST" data-then="reload">
// data-then: reload (default), event (api:done), show (fill [data-show] slots), or a URL
// template filled from the answer ("/cases/{id}").
// Field names are JSON paths ("parties[0].name"); data-type on a field says how to read
// it: int, float, bool (a checkbox), ints (a multiple select or "1, 2"), lines, json.
(function () {
  'use strict';
  var csrf = (document.querySelector('meta[name="csrf"]') || {}).content || '';

  function setPath(obj, path, value) {
    var keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
    var o = obj;
    for (var i = 0; i < keys.length - 1; i++) {
      var k = keys[i], nextIsIndex = /^\d+$/.test(keys[i + 1]);
      if (o[k] === undefined) o[k] = nextIsIndex ? [] : {};
      o = o[k];
    }
    o[keys[keys.length - 1]] = value;
  }

  function read(el) {
    var t = el.dataset.type || '';
    if (el.type === 'checkbox') return t === 'bool' ? el.checked : (el.checked ? el.value : undefined);
    if (el.type === 'radio') return el.checked ? el.value : undefined;
    if (el.multiple) {
      var vals = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
        .map(function (o) { return t === 'ints' ? Number(o.value) : o.value; });
      return vals;
    }
    var v = el.value.trim();
    if (v === '') return undefined;
    switch (t) {
      case 'int': return /^-?\d+$/.test(v) ? Number(v) : v;
      case 'float': return isNaN(Number(v)) ? v : Number(v);
      case 'ints': return v.split(/[,,\s]+/).filter(Boolean).map(function (x) { return /^\d+$/.test(x) ? Number(x) : x; });
      case 'lines': return v.split('\n').map(function (x) { return x.trim(); }).filter(Boolean);
      case 'json': try { return JSON.parse(v); } catch (e) { return v; }
      default: return v;
    }
  }

  // A fieldset marked data-optional left blank (e.g. an unknown respondent) is not sent.
  function blank(fieldset) {
    return Array.prototype.every.call(fieldset.querySelectorAll('input:not([type=hidden]), select, textarea'),
      function (el) { return el.value.trim() === ''; });
  }

  function body(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.matches(':disabled') || el.name === '_csrf') return;
      var optional = el.closest('fieldset[data-optional]');
      if (optional && blank(optional)) return;
      var v = read(el);
      if (v !== undefined) setPath(out, el.name, v);
    });
    return out;
  }

  function clear(form) {
    form.querySelectorAll('.error').forEach(function (e) { e.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (e) { e.removeAttribute('aria-invalid'); });
  }

  function show(form, field, message) {
    var slot = field && form.querySelector('[data-for="' + CSS.escape(field) + '"]');
    var input = field && form.querySelector('[name="' + CSS.escape(field) + '"]');
    if (input) { input.setAttribute('aria-invalid', 'true'); }
    if (!slot) slot = form.querySelector('[data-for="body"]');
    if (!slot) {
      slot = document.createElement('div');
      slot.className = 'error';
      slot.dataset.for = 'body';
      slot.setAttribute('role', 'alert');
      form.appendChild(slot);
    }
    slot.textContent = (slot.textContent ? slot.textContent + ' ' : '') + message;
    // An error inside a folded part (a routing rule) unfolds it.
    var folded = slot.closest('details:not([open])');
    if (folded) folded.open = true;
    return input || slot;
  }

  function fill(template, data) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return encodeURIComponent(data[k]); });
  }

  async function submit(form, ev) {
    ev.preventDefault();
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    clear(form);
    var button = form.querySelector('button[type="submit"], button:not([type])');
    if (button) button.disabled = true;
    var headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf };
    if (form.dataset.ifMatch) headers['If-Match'] = form.dataset.ifMatch;
    try {
      var res = await fetch(form.dataset.api, {
        method: form.dataset.method || 'POST', headers: headers,
        body: JSON.stringify(form.dataset.wrap === 'array' ? [body(form)] : body(form)), credentials: 'same-origin'
      });
      var data = res.status === 204 ? {} : await res.json().catch(function () { return {}; });
      if (!res.ok) {
        var err = data.error || { message: '提交失败(' + res.status + ')' };
        var list = err.fields && err.fields.length ? err.fields : [err];
        var first = null;
        list.forEach(function (f) { var el = show(form, f.field, f.message); first = first || el; });
        if (first && first.focus) first.focus();
        return;
      }
      var then = form.dataset.then || 'reload';
      if (then === 'reload') { window.location.reload(); }
      else if (then === 'event') { form.dispatchEvent(new CustomEvent('api:done', { detail: data, bubbles: true })); }
      else if (then === 'show') {
        // Fills the form's [data-show=field] slots from the answer (a secret shown once).
        form.querySelectorAll('[data-show]').forEach(function (el) {
          el.textContent = data[el.dataset.show] == null ? '' : data[el.dataset.show];
          el.closest('[hidden]') && el.closest('[hidden]').removeAttribute('hidden');
        });
      }
      else { window.location.href = fill(then, data); }
    } catch (e) {
      show(form, null, '网络错误,请稍后再试');
    } finally {
      if (button) button.disabled = false;
    }
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (form.matches && form.matches('form[data-api]')) submit(form, ev);
  });

  // Exposed for the pages' own scripts (intake check, mediation room).
  window.concord = { csrf: csrf, body: body, show: show, clear: clear };
})();
