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
    out.hidden = false;
  });
  if (form.number.value) form.code.focus();
})();
