// Tracking a case by its number and tracking code: status, deadline, each step.
(function () {
  const form = document.getElementById('track');
  const out = document.getElementById('result');
  const text = (tag, s, cls) => { const e = document.createElement(tag); e.textContent = s; if (cls) e.className = cls; return e; };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const err = form.querySelector('.error');
    err.textContent = '';
    const q = new URLSearchParams({ number: form.number.value.trim(), code: form.code.value.trim() });
    const r = await fetch('/api/v1/public/track?' + q);
    const j = await r.json();
    if (!r.ok) { err.textContent = j.error.message; out.hidden = true; return; }
    out.innerHTML = '';
    out.appendChild(text('h2', '事项 ' + j.number));
    const dl = document.createElement('dl'); dl.className = 'facts';
    const add = (k, v) => { if (v) { dl.appendChild(text('dt', k)); dl.appendChild(text('dd', v)); } };
    add('状态', j.status_label);
    add('类别', j.category_label);
    add('登记时间', j.registered_at.replace('T', ' ').slice(0, 16));
    add('承办单位', j.lead_unit_name);
    add('办理期限', j.deadline_date ? j.deadline_date + ' 前办结' : null);
    out.appendChild(dl);
    if (j.clock) out.appendChild(text('span', { on_time: '按期办理中', near_due: '临近期限', overdue: '已超期' }[j.clock], 'light ' + j.clock));
    out.appendChild(text('h2', '办理过程'));
    const ol = document.createElement('ol'); ol.className = 'steps';
    for (const s of j.steps) {
      const li = document.createElement('li');
      li.appendChild(text('time', s.at.replace('T', ' ').slice(0, 16)));
      li.appendChild(text('strong', s.label));
      if (s.note) li.appendChild(text('p', s.note));
      ol.appendChild(li);
    }
    out.appendChild(ol);
    if (['assigned', 'in_mediation', 'agreed'].includes(j.status)) {
      const a = text('a', '进入线上调解室(查看、签署协议)', 'button');
      a.href = '/room?' + q;
      out.appendChild(a);
    }
    if (j.satisfaction_label) out.appendChild(text('p', '回访评价:' + j.satisfaction_label, 'notice'));
    if (j.status === 'closed') out.appendChild(ratingForm(q));
    if (['registered', 'accepted', 'escalated'].includes(j.status)) pickMediator(q);
    out.hidden = false;
  });

  // No tracking code: a one-time code by SMS to a phone given for the case.
  const otp = document.getElementById('otp');
  otp.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    otp.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
    const note = otp.querySelector('.notice');
    note.hidden = true;
    const { ok, j } = await post('/api/v1/public/one-time-codes', { number: form.number.value.trim(), phone: otp.phone.value.trim() });
    if (!ok) {
      const slot = otp.querySelector('[data-for="' + ((j.error || {}).field || 'phone') + '"]') || otp.querySelector('.error');
      slot.textContent = j.error ? (j.error.fields ? j.error.fields.map((f) => f.message).join(';') : j.error.message) : '请稍后再试';
      return;
    }
    note.textContent = j.message + '。收到后填在上面的“查询码或短信验证码”里。';
    note.hidden = false;
    form.code.focus();
  });

  async function post(url, body) {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { ok: r.ok, j: await r.json().catch(() => ({})) };
  }

  // After closure the applicant rates the handling (网上评价), once.
  function ratingForm(q) {
    const f = document.createElement('form');
    f.id = 'rating'; f.className = 'card';
    f.innerHTML = '<h2>评价办理情况</h2><fieldset><legend>您对办理结果是否满意? *</legend>' +
      [['satisfied', '满意'], ['basically_satisfied', '基本满意'], ['dissatisfied', '不满意']]
        .map(([v, l]) => '<label class="check"><input type="radio" name="satisfaction" value="' + v + '"> ' + l + '</label>').join('') +
      '</fieldset><div class="error" data-for="satisfaction"></div>' +
      '<label for="r-perf">协议履行情况</label><select id="r-perf" name="performance"><option value="">没有协议或不清楚</option>' +
      '<option value="full">已履行</option><option value="in_progress">正在履行</option><option value="partial">部分履行</option><option value="not_performed">未履行</option></select>' +
      '<label for="r-note">意见和建议</label><textarea id="r-note" name="note" maxlength="500" rows="3"></textarea>' +
      '<div class="error" data-for="note"></div><div class="error" data-for="body" role="alert"></div><button type="submit">提交评价</button>';
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      f.querySelectorAll('.error').forEach((e) => { e.textContent = ''; });
      const sat = f.querySelector('input[name="satisfaction"]:checked');
      if (!sat) { f.querySelector('[data-for="satisfaction"]').textContent = '请选择满意程度'; return; }
      const body = { number: q.get('number'), code: q.get('code'), satisfaction: sat.value };
      if (f.performance.value) body.performance = f.performance.value;
      if (f.note.value.trim()) body.note = f.note.value.trim();
      const { ok, j } = await post('/api/v1/public/ratings', body);
      if (ok) { form.requestSubmit(); return; }
      const slot = f.querySelector('[data-for="' + (j.error && j.error.field) + '"]') || f.querySelector('[data-for="body"]');
      slot.textContent = (j.error && j.error.message) || '提交失败,请稍后再试';
    });
    return f;
  }

  // Before a mediator is at work the applicant may pick one from the directory (点单).
  async function pickMediator(q) {
    const r = await fetch('/api/v1/public/mediator-picks?' + q);
    if (!r.ok) return;
    const j = await r.json();
    if (!j.eligible.length) return;
    const box = document.createElement('section');
    box.id = 'pick'; box.className = 'card';
    box.appendChild(text('h2', '选择调解员(点单)'));
    const mine = j.picks.find((p) => p.party === 0);
    box.appendChild(text('p', mine ? '您已选择,中心交办时将优先考虑。' : '您可以从下面的调解员中选择一位,中心交办时优先考虑您的选择。', 'hint'));
    const ul = document.createElement('ul'); ul.className = 'mediators';
    for (const e of j.eligible.slice(0, 40)) {
      const m = e.mediator || e;
      const li = document.createElement('li');
      li.appendChild(text('strong', m.name));
      li.appendChild(text('span', ' ' + [m.title, e.org_name].filter(Boolean).join(' · ')));
      li.appendChild(text('span', ' 在办' + e.open_cases + '件' + (e.success_rate != null ? ',调解成功率' + Math.round(e.success_rate * 100) + '%' : ''), 'hint'));
      const b = text('button', mine && mine.mediator === m.id ? '已选择' : '选这位', 'small');
      b.type = 'button';
      b.disabled = !!(mine && mine.mediator === m.id);
      b.addEventListener('click', async () => {
        const { ok, j: res } = await post('/api/v1/public/mediator-picks', { number: q.get('number'), code: q.get('code'), mediator: m.id });
        if (ok) { form.requestSubmit(); return; }
        box.appendChild(text('p', (res.error && res.error.message) || '选择失败', 'error'));
      });
      li.appendChild(b);
      ul.appendChild(li);
    }
    box.appendChild(ul);
    out.appendChild(box);
  }
  if (form.number.value) form.code.focus();
})();
