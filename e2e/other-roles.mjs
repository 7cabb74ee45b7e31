// The other roles' main paths, in a real browser: a grid worker registers a dispute from a
// phone with the center's advice as they type; a department handler takes a labour case
// assigned to their unit, fails to settle it and refers it to arbitration; a judge
// confirms an agreement sent to the court; the administrator adds an account (which then
// logs in) and a day off to the working-day calendar, and issues an Open311 key to the
// 12345 hotline, which files a dispute the clerk then finds, and revokes it; and subscribes
// the hotline to case events; a leader plans screening (排查) and the grid worker records a
// round on her phone and reports what she found as a case.
//
//   BASE_URL=http://127.0.0.1:8080 node e2e/other-roles.mjs
import {
  BASE, PASSWORD, state, check, snap, newPage, login, submitAndReload, act, openCase,
  fitsPhone, status, run,
} from './lib.mjs';

/** The JSON API, for setting up what another test already walks through in the browser. */
async function api(token, method, path, body) {
  const r = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const j = await r.json().catch(() => ({}));
  check(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
}

const token = async (username) =>
  (await api(null, 'POST', '/api/v1/auth/login', { username, password: PASSWORD })).token;

async function orgId(name) {
  const orgs = await api(null, 'GET', '/api/v1/organizations');
  const o = orgs.find((x) => x.name === name);
  check(o, `the organization ${name}`);
  return o.id;
}

await run('other roles', async (browser) => {
  state.step = 'grid worker registers a dispute on a phone';
  const grid = await login(browser, 'grid');
  await grid.setViewportSize({ width: 360, height: 740 });
  await grid.goto(`${BASE}/cases/new`);
  await grid.getByLabel('事项描述').fill('大坪社区某装修公司拖欠六名工人工资共计三万八千元,工人多次讨要未果,情绪激动。');
  await grid.getByLabel('乡镇(街道)').selectOption({ label: '白龙山街道' });
  await grid.locator('#region option', { hasText: '大坪社区' }).waitFor({ state: 'attached' });
  await grid.getByLabel('村(社区)').selectOption({ label: '大坪社区' });
  await grid.locator('#advice-category').filter({ hasText: /劳动/ }).waitFor();
  await grid.locator('#advice-route').filter({ hasText: /\S/ }).waitFor();
  check(await grid.getByLabel('纠纷类别').inputValue() === 'labor', 'the suggested category is filled in');
  await grid.locator('#p0-name').fill('魏建国');
  await grid.locator('#p0-phone').fill('13905780011');
  await grid.locator('#p1-name').fill('云和某装修工程有限公司');
  await fitsPhone(grid, 'the intake form');
  await snap(grid, 'grid-intake-advice');
  await Promise.all([grid.waitForURL(/\/cases\/\d+$/), grid.getByRole('button', { name: '登记' }).click()]);
  const number = (await grid.locator('h1').textContent()).trim().split(/\s+/)[0];
  check((await status(grid)).includes('已登记'), 'the case is registered');
  await snap(grid, 'grid-registered');

  state.step = 'the department handler takes the labour case to arbitration';
  const clerk = await login(browser, 'clerk');
  await clerk.goto(`${BASE}/cases?q=${encodeURIComponent(number)}`);
  await openCase(clerk, number);
  await act(clerk, 'accept');
  const dispatcher = await login(browser, 'dispatcher');
  await dispatcher.goto(`${BASE}/cases?q=${encodeURIComponent(number)}`);
  await openCase(dispatcher, number);
  await act(dispatcher, 'assign', async (form) => {
    await form.getByLabel('牵头单位').selectOption({ label: '云和县人力资源和社会保障局' });
    await form.getByLabel('交办说明').fill('欠薪纠纷,由人社局牵头');
  });
  const handler = await login(browser, 'handler');
  check(await handler.getByRole('link', { name: number }).count() > 0, 'the case waits on the unit\'s desk');
  await openCase(handler, number);
  await act(handler, 'start_mediation');
  await act(handler, 'fail_mediation', (f) => f.getByLabel('调解不成的原因').fill('公司拒绝到场协商'));
  await act(handler, 'refer', async (f) => {
    await f.locator('select[name="to"]').selectOption('arbitration');
    await f.getByLabel('说明').fill('引导工人申请劳动仲裁');
  });
  check((await status(handler)).includes('已引导'), `referred (${await status(handler)})`);
  await snap(handler, 'handler-referred');

  state.step = 'a judge confirms an agreement';
  const [tc, td, tm] = [await token('clerk'), await token('dispatcher'), await token('mediator')];
  const c = await api(tc, 'POST', '/api/v1/cases', {
    kind: 'dispute', channel: 'window', category: 'neighbor', region: '331125003002',
    description: '两户邻居因排水沟改道发生争执,一方院墙被水浸泡开裂,要求赔偿修缮费。',
    parties: [{ role: 'applicant', name: '陈美华', phone: '13905780022' },
      { role: 'respondent', name: '柳志强', phone: '13905780033' }],
  });
  await api(tc, 'POST', `/api/v1/cases/${c.id}/transitions`, { action: 'accept' });
  await api(td, 'POST', `/api/v1/cases/${c.id}/transitions`,
    { action: 'assign', lead_unit: await orgId('老李帮忙团调解室'), level: 'county', reason: '当事人点名' });
  await api(tm, 'POST', `/api/v1/cases/${c.id}/transitions`, { action: 'start_mediation' });
  const a = await api(tm, 'PUT', `/api/v1/cases/${c.id}/agreement`,
    { facts: '排水沟改道致院墙开裂', terms: [{ text: '柳志强赔偿修缮费', amount: 3000, due: '2026-12-31' }] });
  for (const party of [0, 1]) {
    await api(tm, 'POST', `/api/v1/cases/${c.id}/agreement/signatures`, { party, text_hash: a.text_hash });
  }
  await api(tm, 'POST', `/api/v1/cases/${c.id}/transitions`, { action: 'reach_agreement', summary: '赔偿修缮费3000元' });
  const courts = (await api(null, 'GET', '/api/v1/organizations')).filter((o) => o.kind === 'court');
  await api(tm, 'POST', `/api/v1/cases/${c.id}/transitions`, { action: 'apply_confirmation', court: courts[0].id });
  const judge = await login(browser, 'judge');
  check(await judge.getByRole('link', { name: c.number }).count() > 0, 'the request waits on the judge\'s desk');
  await openCase(judge, c.number);
  await act(judge, 'confirm', (f) => f.getByLabel('裁定书文号').fill('(2026)浙1125民特88号'));
  check((await status(judge)).includes('已办结'), `confirmed and closed (${await status(judge)})`);
  await snap(judge, 'judge-confirmed');

  state.step = 'the administrator adds an account and a day off';
  const admin = await login(browser, 'admin');
  await admin.goto(`${BASE}/admin/users`);
  const form = admin.locator('form[data-api="/api/v1/users"]');
  await form.getByLabel('用户名').fill('clerk2');
  await form.getByLabel('姓名').fill('金晓丽');
  await form.getByLabel('角色').selectOption({ label: '窗口受理' });
  await form.getByLabel('初始密码').fill('short');
  await form.getByRole('button', { name: '添加' }).click();
  await form.locator('[data-for="password"]').filter({ hasText: /\S/ }).waitFor();
  await snap(admin, 'admin-password-refused');
  await form.getByLabel('初始密码').fill('yunhe-2026-clerk');
  await submitAndReload(admin, form);
  check(await admin.getByRole('cell', { name: '金晓丽' }).count() === 1, 'the new account is listed');
  const newcomer = await newPage(browser);
  await newcomer.goto(`${BASE}/login`);
  await newcomer.getByLabel('用户名').fill('clerk2');
  await newcomer.getByLabel('密码').fill('yunhe-2026-clerk');
  await Promise.all([newcomer.waitForURL(/\/work$/), newcomer.getByRole('button', { name: '登录' }).click()]);
  check((await newcomer.textContent('body')).includes('金晓丽'), 'the new clerk is logged in');
  await admin.goto(`${BASE}/admin/calendar?year=2027`);
  const day = admin.locator('form[data-api="/api/v1/calendar"]');
  await day.getByLabel('日期').fill('2027-05-06');
  await day.getByLabel('说明').fill('县级调休');
  await submitAndReload(admin, day);
  check(await admin.getByRole('cell', { name: '2027-05-06' }).count() === 1, 'the day off is in the calendar');
  await snap(admin, 'admin-calendar');

  state.step = 'the administrator edits the routing rules in the form';
  const adminToken = await token('admin');
  const before = await api(adminToken, 'GET', '/api/v1/routing/rules');
  await admin.goto(`${BASE}/admin/routing`);
  const rulesForm = admin.locator('#rules-form');
  await rulesForm.getByLabel('修改说明').fill('核对规则,未作修改');
  await submitAndReload(admin, rulesForm);
  const same = await api(adminToken, 'GET', '/api/v1/routing/rules');
  check(same.version === before.version + 1, `saving makes a new version (${same.version})`);
  check(JSON.stringify(same.rules) === JSON.stringify(before.rules), 'saving unchanged keeps every rule as it was');
  await admin.getByRole('button', { name: '添加规则' }).click();
  const added = admin.locator('[data-rule]').last();
  await added.getByLabel('规则编号').fill('grid-neighbor-township');
  await added.getByLabel('规则名称').fill('网格员上报的邻里纠纷交乡镇调委会');
  await added.getByLabel('纠纷类别').selectOption('neighbor');
  await added.getByLabel('受理渠道').selectOption('grid_worker');
  await rulesForm.getByLabel('修改说明').fill('新增网格员上报邻里纠纷规则');
  // No result yet: refused next to the rule, nothing saved.
  await rulesForm.locator('button[type=submit]').click();
  await added.locator('.error').filter({ hasText: '至少设定' }).waitFor();
  await added.getByLabel('分流层级').selectOption('township');
  await added.getByRole('button', { name: '上移' }).click();
  await submitAndReload(admin, rulesForm);
  const now = await api(adminToken, 'GET', '/api/v1/routing/rules');
  check(now.version === same.version + 1, 'the refused save made no version');
  const at = now.rules.findIndex((r) => r.id === 'grid-neighbor-township');
  check(at === now.rules.length - 2, `the new rule moved up one (at ${at} of ${now.rules.length})`);
  check(now.rules[at].when.channels[0] === 'grid_worker' && now.rules[at].then.level === 'township',
    'the rule keeps its condition and result');
  check((await admin.locator('h1').textContent()).includes(`第${now.version}版`), 'the page shows the new version');
  await snap(admin, 'admin-routing-rules');

  state.step = 'the administrator issues an Open311 key, which files a dispute';
  await admin.goto(`${BASE}/admin/apikeys`);
  const keyForm = admin.locator('form[data-api="/api/v1/api-keys"]');
  await keyForm.getByLabel('对接系统名称').fill('12345热线');
  await keyForm.getByRole('button', { name: '发放' }).click();
  const secret = (await keyForm.locator('[data-show="secret"]').filter({ hasText: /c311_/ }).textContent()).trim();
  await snap(admin, 'admin-api-key-issued');
  const filed = await fetch(`${BASE}/open311/v2/requests.json`, {
    method: 'POST',
    body: new URLSearchParams({
      api_key: secret, service_code: 'neighbor', description: '楼上装修噪音持续到深夜,多次沟通无果',
      address_string: '大坪社区', first_name: '小芳', last_name: '雷', phone: '13757812345',
    }),
  });
  check(filed.ok, `the key files a request (${filed.status})`);
  const filedNumber = (await filed.json())[0].service_request_id;
  const window = await login(browser, 'clerk');
  await openCase(window, filedNumber);
  check((await window.textContent('body')).includes('12345热线(Open311 接口)'), 'the clerk sees who filed it');
  await admin.goto(`${BASE}/admin/apikeys`);
  await submitAndReload(admin, admin.locator('form[data-api$="/revoke"]').first());
  check((await admin.textContent('body')).includes('已停用'), 'the key is revoked');
  const refused = await fetch(`${BASE}/open311/v2/requests.json`, {
    method: 'POST', body: new URLSearchParams({ api_key: secret, service_code: 'neighbor' }),
  });
  check(refused.status === 403, `a revoked key is refused (${refused.status})`);

  state.step = 'the administrator subscribes the hotline to case events';
  await admin.goto(`${BASE}/admin/webhooks`);
  const hookForm = admin.locator('form[data-api="/api/v1/webhooks"]');
  await hookForm.getByLabel('推送地址').fill('http://12345.example.gov.cn/concord-events');
  await hookForm.getByLabel('事件').selectOption([{ label: '受理' }, { label: '办结' }]);
  await hookForm.getByRole('button', { name: '订阅' }).click();
  await hookForm.locator('[data-show="secret"]').filter({ hasText: /whsec_/ }).waitFor();
  await admin.goto(`${BASE}/admin/webhooks`);
  check(await admin.getByRole('cell', { name: '受理、办结' }).count() === 1, 'the subscription is listed with its events');
  await snap(admin, 'admin-webhook');

  state.step = 'the dispatcher assigns from the board: one case dragged, one by keyboard alone';
  const made = [];
  for (const description of ['两户因宅基地边界砌墙发生争执,一方要求拆除围墙', '邻居在楼道堆放杂物堵塞消防通道,多次劝说无果']) {
    const one = await api(tc, 'POST', '/api/v1/cases', {
      kind: 'dispute', channel: 'window', category: 'neighbor', region: '331125003002', description,
      parties: [{ role: 'applicant', name: '蒋小梅', phone: '13905780044' }],
    });
    await api(tc, 'POST', `/api/v1/cases/${one.id}/transitions`, { action: 'accept' });
    made.push(one);
  }
  const board = await login(browser, 'dispatcher');
  await board.goto(`${BASE}/dispatch`);
  const room = await orgId('老李帮忙团调解室');
  const dragged = board.locator(`#card-${made[0].id}`);
  // Picked up by its top edge (not by a form control inside it).
  await dragged.dragTo(board.locator(`.drop[data-unit="${room}"]`), { sourcePosition: { x: 12, y: 8 } });
  // Not the suggested unit: refused until a reason is given, the error beside the reason.
  await dragged.locator('.error[data-for="reason"]').filter({ hasText: '理由' }).waitFor();
  check(await board.evaluate(() => document.activeElement && document.activeElement.name) === 'reason',
    'the reason field has the focus');
  await board.keyboard.type('当事人要求由老李帮忙团调解');
  await Promise.all([board.waitForEvent('load'), board.keyboard.press('Enter')]);
  const draggedCase = await api(td, 'GET', `/api/v1/cases/${made[0].id}`);
  check(draggedCase.status === 'assigned' && draggedCase.lead_unit === room, 'the dragged case is assigned to the room');
  check(draggedCase.level === 'county', `it works at the room's level (${draggedCase.level})`);
  // The other by keyboard alone: Tab to its unit, keep the suggestion, Tab to 交办, Enter.
  const select = `u-${made[1].id}`;
  let tabs = 0;
  while (tabs < 60 && await board.evaluate(() => document.activeElement && document.activeElement.id) !== select) {
    await board.keyboard.press('Tab');
    tabs += 1;
  }
  check(tabs < 60, 'Tab reaches the case\'s unit');
  await board.keyboard.press('Tab'); // the reason, left empty: the suggestion stands
  await board.keyboard.press('Tab'); // 交办
  check(await board.evaluate(() => document.activeElement.textContent) === '交办', 'Tab reaches 交办');
  await Promise.all([board.waitForEvent('load'), board.keyboard.press('Enter')]);
  const keyed = await api(td, 'GET', `/api/v1/cases/${made[1].id}`);
  check(keyed.status === 'assigned' && keyed.lead_unit !== null, 'the case is assigned to the suggested unit');
  check(await board.locator(`#card-${made[1].id}`).count() === 0, 'it leaves the board');
  await snap(board, 'dispatcher-board');

  state.step = 'the leader plans weekly screening for a grid';
  const leader = await login(browser, 'leader');
  await leader.goto(`${BASE}/screening`);
  const plan = leader.locator('#plan-form');
  const title = '大坪社区网格每周入户走访(二组)';
  await plan.getByLabel('计划名称').fill(title);
  await plan.getByLabel('区划').selectOption('331125003002');
  await plan.getByLabel('周期').selectOption('weekly');
  await plan.getByLabel('排查人').selectOption({ label: '蓝美玲(网格员)' });
  await Promise.all([leader.waitForURL(/\/screening\/\d+$/), plan.getByRole('button', { name: '建立计划' }).click()]);
  check((await leader.locator('#periods').textContent()).includes('待完成'), 'this week is due');
  await snap(leader, 'leader-screening-plan');

  state.step = 'the grid worker records a round on her phone and reports a finding as a case';
  await grid.goto(`${BASE}/work`);
  check((await grid.locator('#my-screening').textContent()).includes('待完成'), 'her work shows the round due');
  await Promise.all([grid.waitForURL(/\/screening\/\d+$/),
    grid.locator('#my-screening').getByRole('link', { name: title }).click()]);
  const round = grid.locator('#round-form');
  await round.getByLabel('走访户(企业)数').fill('28');
  await round.getByLabel('排查情况').fill('入户走访28户,发放调解宣传册');
  await round.getByLabel('类别').selectOption('labor');
  await round.getByLabel('处置结果').selectOption('to_report');
  await round.getByLabel('涉及人员').fill('务工人员赵某等5人');
  await round.getByLabel('发现的情况').fill('某装修队拖欠5名工人工资一万二千元,现场协调未果');
  await fitsPhone(grid, 'the screening round form');
  await submitAndReload(grid, round);
  check((await grid.textContent('body')).includes('未能化解·待上报'), 'the finding waits to be reported');
  check((await grid.locator('#periods').textContent()).includes('已完成'), 'this week is screened');
  await snap(grid, 'grid-screening-round');
  await grid.getByText('上报立案', { exact: true }).click();
  const report = grid.locator('form[data-api$="/case"]').first();
  await report.getByLabel('申请人姓名').fill('赵德明');
  await report.getByLabel('申请人电话').fill('13905781234');
  await Promise.all([grid.waitForURL(/\/cases\/\d+$/), report.getByRole('button', { name: '上报并登记为事项' }).click()]);
  check((await status(grid)).includes('已登记'), 'the finding is a registered case');
  const reported = (await grid.locator('h1').textContent()).trim().split(/\s+/)[0];
  await snap(grid, 'grid-screening-reported');

  state.step = 'the leader sees it in the screening ledger';
  await leader.goto(`${BASE}/screening`);
  check((await leader.locator('#tally').textContent()).includes('上报立案 1'), 'the tally counts the reported finding');
  check(await leader.getByRole('link', { name: `已上报立案(${reported})` }).count() === 1, 'the ledger links the case');
  const sheet = await leader.request.get(BASE + await leader.locator('#screening-xlsx').getAttribute('href'));
  check(sheet.ok() && sheet.headers()['content-type'].includes('spreadsheetml'), 'the ledger downloads as .xlsx');
  await snap(leader, 'leader-screening-ledger');
});
