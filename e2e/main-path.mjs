// The main path through the center, in a real browser, one role at a time:
// a citizen reports from the QR form (on a phone), the clerk accepts, the dispatcher
// routes, the mediator holds a session and drafts the agreement, both parties sign in the
// online mediation room, the mediator closes, follow-up records the satisfaction, and the
// leader's dashboard counts the case.
//
//   BASE_URL=http://127.0.0.1:8080 node e2e/main-path.mjs
//
// Screenshots of every step go to ARTIFACTS (default e2e/artifacts/<label>).
// Exits non-zero, naming the step, on the first thing a user would see go wrong.
import {
  BASE, PNG, VILLAGE, state, check, snap, chinaLocal, newPage, login, submitAndReload, act,
  openCase, drawSignature, fitsPhone, status, kpis, run, loginByKeyboard,
} from './lib.mjs';

await run('main path', async (browser) => {
  state.step = 'leader before';
  const leader = await login(browser, 'leader');
  await leader.goto(`${BASE}/dashboard`);
  const before = await kpis(leader);

  state.step = 'citizen reports from the QR code';
  const citizen = await newPage(browser, true);
  await citizen.goto(`${BASE}/report?region=${VILLAGE}&via=qr`);
  await citizen.getByRole('button', { name: '提交' }).click();
  const err = citizen.locator('[data-for="description"]');
  await err.filter({ hasText: /\S/ }).waitFor();
  check(/[\u4e00-\u9fff]/.test(await err.textContent()), 'an empty report is refused next to the field, in Chinese');
  await fitsPhone(citizen, 'the report form');
  await snap(citizen, 'citizen-form-errors');
  await citizen.getByLabel('发生了什么').fill('邻居在两家之间的通道上堆放柴火和杂物,下雨时积水流进我家院子,多次沟通没有结果,请求调解。');
  await citizen.getByLabel('纠纷类别').selectOption({ label: '邻里纠纷' });
  await citizen.getByLabel('姓名 *').fill('林秀英');
  await citizen.getByLabel('手机号 *').fill('13905781234');
  await citizen.getByLabel('姓名或单位名称').fill('陈大伟');
  await citizen.getByLabel('联系电话').fill('13867001234');
  await citizen.getByRole('button', { name: '提交' }).click();
  await citizen.locator('#done').waitFor({ state: 'visible' });
  const number = (await citizen.locator('#number').textContent()).trim();
  const tracking = (await citizen.locator('#tracking-code').textContent()).trim();
  check(/^\d{6}-\d{4}-\d{5}$/.test(number), `a readable case number (${number})`);
  await snap(citizen, 'citizen-submitted');

  state.step = 'citizen tracks the case and picks a mediator';
  await citizen.goto(`${BASE}/track`);
  await citizen.getByLabel('事项编号').fill(number);
  await citizen.getByLabel('查询码').fill(tracking);
  await citizen.getByRole('button', { name: '查询' }).click();
  await citizen.locator('#result').getByText('已登记').first().waitFor();
  const lao = citizen.locator('#pick li', { hasText: '李建华' });
  await lao.getByRole('button', { name: '选这位' }).click();
  await citizen.locator('#pick li', { hasText: '李建华' }).getByRole('button', { name: '已选择' }).waitFor();
  await fitsPhone(citizen, 'the tracking page');
  await snap(citizen, 'citizen-picked-mediator');

  state.step = 'clerk accepts';
  const clerk = await loginByKeyboard(browser, 'clerk');
  check(await clerk.getByRole('link', { name: number }).count() > 0, 'the new case waits in the clerk\'s queue');
  await snap(clerk, 'clerk-work');
  await openCase(clerk, number);
  check((await clerk.locator('td', { hasText: '139****1234' }).count()) > 0, 'the applicant\'s phone is masked');
  const applicant = clerk.locator('tr', { hasText: '林秀英' });
  await applicant.getByRole('button', { name: '查看完整号码' }).click();
  await applicant.locator('td', { hasText: '13905781234' }).waitFor();
  check(true, 'asked for, the full number is shown to the clerk (and the view recorded)');
  await clerk.locator('#up-file').setInputFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: PNG });
  await submitAndReload(clerk, clerk.locator('form[data-upload]'));
  check(await clerk.getByRole('link', { name: '现场照片.png' }).count() === 1, 'the photo is on the case');
  await act(clerk, 'accept');
  check((await status(clerk)).includes('已受理'), 'the case is accepted');
  await snap(clerk, 'clerk-accepted');

  state.step = 'dispatcher routes';
  const dispatcher = await login(browser, 'dispatcher');
  await openCase(dispatcher, number);
  await act(dispatcher, 'assign', async (form) => {
    await form.getByLabel('牵头单位').selectOption({ label: '老李帮忙团调解室' });
    const mediator = form.getByLabel('调解员');
    const option = await mediator.locator('option', { hasText: '李建华' }).first().getAttribute('value');
    await mediator.selectOption(option);
    await form.getByLabel('交办说明').fill('当事人点名老李帮忙团调解');
  });
  check((await status(dispatcher)).includes('已交办'), `the case is assigned (${await status(dispatcher)})`);
  await snap(dispatcher, 'dispatcher-assigned');

  state.step = 'mediator holds a session and drafts the agreement';
  const mediator = await login(browser, 'mediator');
  check(await mediator.getByRole('link', { name: number }).count() > 0, 'the case is on the mediator\'s desk');
  await openCase(mediator, number);
  await act(mediator, 'start_mediation');
  check((await status(mediator)).includes('调解中'), 'mediation has started');
  await mediator.getByText('预约调解').click();
  const booking = mediator.locator('form[data-api$="/sessions"]');
  await booking.getByLabel('开始时间').fill(chinaLocal(-30));
  await submitAndReload(mediator, booking);
  await mediator.getByText('填写笔录').click();
  const record = mediator.locator('form[data-api$="/record"]');
  await record.getByLabel('参加人').fill('林秀英\n陈大伟\n李建华');
  await record.getByLabel('调解经过').fill('双方陈述了通道堆放杂物和院子进水的经过,经调解员释法说理,双方同意清理通道、修好排水沟。');
  await record.getByLabel('达成的内容').fill('陈大伟三日内清走杂物,双方共同出资疏通排水沟。');
  await submitAndReload(mediator, record);
  check(await mediator.getByText('陈大伟三日内清走杂物').count() > 0, 'the session record is on the case');
  const draft = mediator.locator('form[data-api$="/agreement"]');
  await draft.getByLabel('纠纷事实').fill('陈大伟在两家之间的通道堆放柴火杂物,雨天积水流入林秀英院内,双方发生争执。');
  await draft.locator('[name="terms[0].text"]').fill('陈大伟于三日内清除通道上的柴火和杂物,今后不再堆放。');
  await draft.locator('[name="terms[1].text"]').fill('双方共同出资疏通排水沟,费用各半。');
  await draft.locator('[name="terms[1].amount"]').fill('600');
  await submitAndReload(mediator, draft);
  check(await mediator.getByText('第1稿').count() > 0, 'the agreement draft is saved');
  const codes = [];
  for (const form of await mediator.locator('form.party-code').all()) {
    await form.getByRole('button', { name: '发放查询码' }).click();
    await form.locator('output').filter({ hasText: '查询码' }).waitFor();
    codes.push((await form.locator('output').textContent()).replace('查询码:', '').trim());
  }
  check(codes.length === 2, `both parties get a code (${codes.length})`);
  await snap(mediator, 'mediator-case');

  state.step = 'both parties sign in the mediation room';
  await mediator.getByRole('link', { name: '进入线上调解室' }).click();
  await mediator.waitForURL(/\/room$/);
  await mediator.waitForSelector('.room[data-live="true"]');
  for (const [i, code] of codes.entries()) {
    const party = await newPage(browser, true);
    await party.goto(`${BASE}/room`);
    await party.getByLabel('事项编号').fill(number);
    await party.getByLabel('查询码').fill(code);
    await party.getByRole('button', { name: '进入调解室' }).click();
    await party.waitForSelector('.room[data-live="true"]');
    const words = i === 0 ? '我同意这个方案,谢谢李调解员。' : '我也同意,三天内清走。';
    await party.getByLabel('发言').fill(words);
    await party.getByRole('button', { name: '发送' }).click();
    await mediator.locator('#transcript').getByText(words).waitFor();
    await drawSignature(party);
    const signed = party.waitForEvent('load');
    await party.getByRole('button', { name: '同意并签署' }).click();
    await signed;
    await party.getByText('您已签署本协议').waitFor();
    await fitsPhone(party, 'the mediation room');
    await snap(party, `party-${i + 1}-signed`);
    await party.context().close();
  }
  await snap(mediator, 'mediator-room');

  state.step = 'mediator closes';
  await mediator.goto(`${BASE}${new URL(mediator.url()).pathname.replace(/\/room$/, '')}`);
  check(await mediator.getByText('已签2/2人').count() > 0, 'the case page shows both signatures');
  await act(mediator, 'reach_agreement', (f) => f.getByLabel('协议要点').fill('清理通道,共同疏通排水沟'));
  await act(mediator, 'close', (f) => f.getByLabel('办结情况').fill('协议已签署,双方当场握手'));
  check((await status(mediator)).includes('已办结'), `the case is closed (${await status(mediator)})`);
  await snap(mediator, 'mediator-closed');

  state.step = 'the applicant tracks the case';
  const tracker = await newPage(browser, true);
  await tracker.goto(`${BASE}/track`);
  await tracker.getByLabel('事项编号').fill(number);
  await tracker.getByLabel('查询码').fill(tracking);
  await tracker.getByRole('button', { name: '查询' }).click();
  await tracker.getByText('已办结').first().waitFor();
  await snap(tracker, 'citizen-tracks');

  state.step = 'follow-up records the satisfaction';
  const followup = await login(browser, 'followup');
  await followup.goto(`${BASE}/followups`);
  const card = followup.locator('section.card', { hasText: number });
  await card.getByText('记录回访').click();
  const form = card.locator('form');
  await form.getByLabel('满意度').selectOption({ label: '满意' });
  await submitAndReload(followup, form);
  check(await followup.locator('section.card', { hasText: number }).count() === 0, 'the case leaves the follow-up queue');
  await snap(followup, 'followup-done');

  state.step = 'the leader sees the case counted';
  await leader.goto(`${BASE}/dashboard`);
  await leader.waitForFunction(() => document.querySelector('#chart-weekly canvas, #chart-weekly svg'));
  const after = await kpis(leader);
  for (const k of Object.keys(before)) {
    check(after[k] === before[k] + 1, `the dashboard's ${k} went from ${before[k]} to ${after[k]}, not +1`);
  }
  await snap(leader, 'leader-dashboard');

  state.step = 'the leader reads the rankings and writes this month\'s risk report';
  check(await leader.locator('#units tbody tr').count() > 0, 'the dashboard ranks the lead units');
  check(await leader.locator('#channels tbody tr').count() > 0, 'the dashboard breaks down by channel');
  const month = chinaLocal(0).slice(0, 7);
  const reportForm = leader.locator('form[data-api="/api/v1/reports"]');
  await reportForm.getByLabel('生成月度研判报告').fill(month);
  await submitAndReload(leader, reportForm);
  const [y, m] = month.split('-').map(Number);
  const link = leader.locator('#report-list a', { hasText: `${y}年${m}月矛盾纠纷风险研判报告` });
  check(await link.count() === 1, `the report for ${month} is listed`);
  const pdf = await leader.request.get(BASE + await link.getAttribute('href'));
  check(pdf.ok() && pdf.headers()['content-type'] === 'application/pdf', 'the report opens as PDF');
  const ledger = await leader.request.get(BASE + await leader.locator('#ledger-link').getAttribute('href'));
  check(ledger.ok() && ledger.headers()['content-type'].includes('spreadsheetml'), 'the ledger downloads as Excel');
  await snap(leader, 'leader-reports');
});
