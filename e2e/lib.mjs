// What the end-to-end scripts share: the browser, logging in, taking a case page's
// actions, screenshots, and the checks a user would make.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BASE = process.env.BASE_URL || 'http://127.0.0.1:8080';
const LABEL = process.env.E2E_LABEL || 'run';
const HERE = dirname(fileURLToPath(import.meta.url));
export const SHOTS = process.env.ARTIFACTS || join(HERE, 'artifacts', LABEL);
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'concord-demo';
// A village of the demo county (云和县崇头镇梅源村), as printed on its QR poster.
export const VILLAGE = process.env.E2E_REGION || '331125105201';

// A 1×1 PNG, as a phone photo stands in for.
export const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

mkdirSync(SHOTS, { recursive: true });
let shot = 0;
/** The step under way, named in failures. */
export const state = { step: 'start' };

export function check(ok, what) {
  if (!ok) throw new Error(what);
}

export async function snap(page, name) {
  shot += 1;
  const file = join(SHOTS, `${String(shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

/** The server's date and time (China), as a datetime-local field takes it. */
export function chinaLocal(offsetMinutes) {
  const t = new Date(Date.now() + offsetMinutes * 60000);
  const parts = new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(t);
  return parts.replace(' ', 'T');
}

export async function newPage(browser, phone = false) {
  const context = await browser.newContext({
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: phone ? { width: 360, height: 740 } : { width: 1280, height: 900 },
    isMobile: phone,
    hasTouch: phone,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('dialog', (d) => d.accept());
  page.on('pageerror', (e) => { console.error(`[${state.step}] page error: ${e.message}`); process.exitCode = 1; });
  return page;
}

export async function login(browser, username) {
  const page = await newPage(browser);
  await page.goto(`${BASE}/work`);
  check(page.url().includes('/login'), 'an anonymous visit to /work goes to the login page');
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await Promise.all([page.waitForURL(/\/work$/), page.getByRole('button', { name: '登录' }).click()]);
  return page;
}

/** Submits a form that reloads the page when it succeeds; fails with the error it shows. */
/** Logs in with the keyboard alone: the name field has focus, Tab, Enter. */
export async function loginByKeyboard(browser, username) {
  const page = await newPage(browser);
  await page.goto(`${BASE}/login`);
  check(await page.evaluate(() => document.activeElement && document.activeElement.id) === 'username',
    'the login form starts in the user name field');
  await page.keyboard.type(username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(PASSWORD);
  await Promise.all([page.waitForURL(/\/work$/), page.keyboard.press('Enter')]);
  // The first Tab on a page reaches the link that skips the navigation.
  await page.keyboard.press('Tab');
  check(await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('href')) === '#main',
    'the first Tab reaches "跳到正文"');
  return page;
}

export async function submitAndReload(page, form, button) {
  // Errors left from an earlier try must not be taken for this one's.
  await form.evaluate((f) => f.querySelectorAll('.error').forEach((e) => { e.textContent = ''; }));
  const loaded = page.waitForEvent('load').then(() => null);
  const failed = form.locator('.error').filter({ hasText: /\S/ }).first()
    .waitFor({ state: 'visible' }).then(async () => form.locator('.error').allTextContents());
  await (button || form.locator('button[type=submit]').last()).click();
  const errors = await Promise.race([loaded, failed]);
  if (errors) throw new Error(`the form refused: ${errors.filter(Boolean).join(' ')}`);
  await page.waitForLoadState('domcontentloaded');
}

/** Takes one of the case page's actions (the form with id a-<action>). */
export async function act(page, action, fill = async () => {}) {
  const form = page.locator(`#a-${action}`);
  check(await form.count() === 1, `the case page offers the action ${action}`);
  await fill(form);
  await submitAndReload(page, form);
}

export async function openCase(page, number) {
  await page.getByRole('link', { name: number }).first().click();
  await page.waitForURL(/\/cases\/\d+$/);
  check((await page.locator('h1').textContent()).includes(number), `the case page shows ${number}`);
}

/** Writes a name on the signature pad with a finger (touch events, as on a phone). */
export async function drawSignature(page) {
  await page.locator('#pad').scrollIntoViewIfNeeded();
  const box = await page.locator('#pad').boundingBox();
  const cdp = await page.context().newCDPSession(page);
  const at = (x) => [{ x: box.x + x, y: box.y + box.height / 2 + 30 * Math.sin(x / 20) }];
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(20) });
  for (let x = 30; x < box.width - 20; x += 10) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(x) });
  }
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await cdp.detach();
}

/** A phone page must not scroll sideways at 360 pixels. */
export async function fitsPhone(page, what) {
  const [wide, view] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  check(wide <= view, `${what} fits a 360-pixel phone (content ${wide}px wide)`);
}

export async function status(page) {
  return (await page.locator('h1').textContent()).trim();
}

export async function kpis(page) {
  const read = async (id) => Number((await page.locator(`#kpi-${id}`).textContent()).trim());
  return {
    registered: await read('registered'), closed: await read('closed'),
    resolved: await read('resolved'), satisfied: await read('satisfied'),
  };
}


/** Starts Debian's Chromium headless. */
export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--disable-background-networking', '--no-first-run'],
  });
}

/** Runs `body` with a browser; on failure names the step, screenshots every page, exits 1. */
export async function run(name, body) {
  const browser = await launch();
  try {
    await body(browser);
    console.log(`e2e: ${name} passed (${shot} screenshots in ${SHOTS})`);
  } catch (e) {
    console.error(`e2e: FAILED at "${state.step}": ${e.message}`);
    for (const ctx of browser.contexts()) {
      for (const p of ctx.pages()) await snap(p, 'failure').catch(() => {});
    }
    process.exitCode = 1;
  } finally {
    await browser.close();
  }
}
