// The public form: posts JSON to /api/v1/public/cases and shows each error beside its
// field. No libraries; works without any network beyond this server.
(function () {
  const form = document.getElementById('report');
  const val = (id) => { const e = document.getElementById(id); return e ? e.value.trim() : ''; };
  const township = document.getElementById('township');
  if (township) {
    township.addEventListener('change', async () => {
      const sel = document.getElementById('region');
      sel.innerHTML = '<option value="">请选择村(社区)</option>';
      if (!township.value) return;
      const r = await fetch('/api/v1/regions?parent=' + encodeURIComponent(township.value));
      const opt = document.createElement('option');
      opt.value = township.value; opt.textContent = '(乡镇、街道本级)';
      sel.appendChild(opt);
      for (const v of await r.json()) {
        const o = document.createElement('option');
        o.value = v.code; o.textContent = v.name; sel.appendChild(o);
      }
    });
  }
  function clearErrors() {
    form.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
    form.querySelectorAll('.invalid').forEach((e) => e.classList.remove('invalid'));
  }
  function showError(field, message) {
    const slot = form.querySelector('.error[data-for="' + field + '"]') || form.querySelector('.error[data-for="body"]');
    slot.textContent = message;
    const input = slot.previousElementSibling;
    if (input && input.matches('input,select,textarea')) { input.classList.add('invalid'); input.setAttribute('aria-invalid', 'true'); }
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors();
    const parties = [{ role: 'applicant', name: val('p0_name'), phone: val('p0_phone'), id_number: val('p0_id') || null }];
    if (val('p1_name')) parties.push({ role: 'respondent', name: val('p1_name'), phone: val('p1_phone') || null });
    const body = {
      channel: new URLSearchParams(location.search).get('via') === 'qr' ? 'qr_code' : 'online',
      description: val('description'), region: val('region'), address: val('address') || null,
      parties,
    };
    if (val('category')) body.category = val('category');
    if (val('amount')) body.amount = Number(val('amount'));
    if (val('complainants')) body.complainants = Number(val('complainants'));
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const r = await fetch('/api/v1/public/cases', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const j = await r.json();
      if (!r.ok) {
        const errs = j.error.fields && j.error.fields.length ? j.error.fields : [j.error];
        errs.forEach((e) => showError(e.field || 'body', e.message));
        const first = form.querySelector('.invalid'); if (first) first.focus();
        return;
      }
      form.hidden = true;
      const done = document.getElementById('done');
      done.hidden = false;
      done.innerHTML = '<div class="notice"><p>已提交。请记下:</p><p>事项编号 <span class="code" id="number"></span></p>' +
        '<p>查询码 <span class="code" id="tracking-code"></span></p><p id="next"></p></div>' +
        '<form id="add-files" data-then="clear"><label for="files">补充照片或材料 <span class="hint">如现场照片、合同、收据;每个不超过10MB</span></label>' +
        '<input id="files" type="file" multiple accept="image/*,.pdf,.docx,audio/*"><button type="submit" class="secondary">上传</button>' +
        '<output></output><div class="error" data-for="file" role="alert"></div></form>' +
        '<a class="button" id="track-link">查询办理进度</a>';
      document.getElementById('add-files').dataset.upload = '/api/v1/public/attachments?number=' +
        encodeURIComponent(j.number) + '&code=' + encodeURIComponent(j.tracking_code);
      document.getElementById('number').textContent = j.number;
      document.getElementById('tracking-code').textContent = j.tracking_code;
      document.getElementById('next').textContent = j.next_step;
      document.getElementById('track-link').href = '/track?number=' + encodeURIComponent(j.number);
      done.focus();
    } catch (e) {
      showError('body', '网络异常,请稍后重试');
    } finally {
      button.disabled = false;
    }
  });
})();
