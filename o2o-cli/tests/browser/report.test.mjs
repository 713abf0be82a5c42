// The demo's HTML report in a real browser: headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core from o2o-wasm/tests) opens the page from disk, as from an email
// attachment. It must load with no console error and no network request; every number it
// shows must equal the report JSON's (read from the DOM's data attributes and its text); every
// chart must be an SVG with one mark per campaign, day or bucket; no chart text may overlap and
// the page must fit its width. A full-page screenshot is written for a person to look at
// (O2O_REPORT_SCREENSHOT, default target/report-demo.png).
// Missing Chromium or playwright-core is a failure unless O2O_SKIP_BROWSER=1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtemp, rm, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const require = createRequire(path.join(root, 'o2o-wasm/tests/package.json'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SCREENSHOT = process.env.O2O_REPORT_SCREENSHOT || path.join(root, 'target/report-demo.png');

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch {
  chromium = null;
}
const missing = !existsSync(CHROMIUM)
  ? `${CHROMIUM} not installed (apt-get install chromium)`
  : !chromium
    ? 'playwright-core not installed (npm ci in o2o-wasm/tests)'
    : false;
const skip = missing && process.env.O2O_SKIP_BROWSER === '1' ? missing : false;

test('a headless Chromium is available', { skip }, () => {
  assert.equal(missing, false, `${missing}; set O2O_SKIP_BROWSER=1 to skip the browser tests`);
});

let work, html, view, browser, profileDir, page;
const requests = [];
const consoleErrors = [];

before(async () => {
  if (missing) return;
  work = await mkdtemp(path.join(tmpdir(), 'o2o-report-'));
  html = path.join(work, 'report.html');
  // The o2o binary: O2O_BIN, else built by cargo (the debug build `cargo test` leaves behind).
  const args = ['demo', '--customers', '4000', '--seed', '7', '--work', path.join(work, 'w'), '--html', html, '--json'];
  const out = process.env.O2O_BIN
    ? execFileSync(process.env.O2O_BIN, args, { cwd: root, maxBuffer: 1 << 28 })
    : execFileSync('cargo', ['run', '-q', '-p', 'o2o-cli', '--bin', 'o2o', '--', ...args], { cwd: root, maxBuffer: 1 << 28 });
  view = JSON.parse(out.toString()).view;
  profileDir = await mkdtemp(path.join(tmpdir(), 'o2o-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 900, height: 1200 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
  page = await browser.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
});

after(async () => {
  await browser?.close();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

const live = { skip: skip || (missing && 'no browser') };

function at(obj, p) {
  return p.split('.').reduce((o, k) => (o == null ? undefined : Array.isArray(o) ? o[Number(k)] : o[k]), obj);
}

test('the page loads with no console error and no network request', live, async () => {
  assert.deepEqual(consoleErrors, []);
  const others = requests.filter((u) => u !== pathToFileURL(html).href);
  assert.deepEqual(others, [], 'only the page itself is requested');
  const src = await readFile(html, 'utf8');
  assert.ok(!/<script/i.test(src), 'no script');
  assert.ok(!/(src|href)=["']?(https?:)?\/\//i.test(src), 'no external reference');
});

test('every number shown equals the report JSON', live, async () => {
  const shown = await page.$$eval('[data-path]', (els) =>
    els.map((e) => ({ path: e.dataset.path, value: Number(e.dataset.value), text: e.textContent })));
  assert.ok(shown.length > 100, `only ${shown.length} numbers tagged`);
  for (const s of shown) {
    const want = at(view, s.path);
    assert.equal(typeof want, 'number', `${s.path} is a number of the JSON`);
    assert.equal(s.value, want, s.path);
    // The text, read back: thousands separators, currency and % removed, a true minus sign.
    const clean = s.text.replace(/[−–]/g, '-').replace(/[^0-9.\-]/g, '');
    const read = Number(clean);
    assert.ok(Number.isFinite(read), `${s.path}: "${s.text}" reads as a number`);
    const decimals = (clean.split('.')[1] || '').length;
    const scaled = /%/.test(s.text) ? want * 100 : want;
    assert.ok(Math.abs(read - scaled) <= 0.5 * 10 ** -decimals + 1e-9 * Math.abs(scaled),
      `${s.path}: shows "${s.text}", JSON has ${want}`);
  }
  // Every numeric table cell carries its JSON path (none shown untagged).
  const untagged = await page.$$eval('td.n', (els) =>
    els.filter((e) => !e.dataset.path && /[0-9]/.test(e.textContent) && !e.querySelector('[data-path]')).map((e) => e.textContent));
  assert.deepEqual(untagged, []);
  // The headline names every campaign the holdout measured.
  const headline = await page.$eval('#headline', (e) => e.textContent);
  for (const c of view.campaigns.filter((c) => c.incremental)) {
    assert.ok(headline.includes(c.campaign), `headline mentions ${c.campaign}`);
  }
});

test('each chart is an SVG with one mark per campaign, day or bucket', live, async () => {
  const marks = await page.$$eval('svg[data-chart]', (svgs) =>
    Object.fromEntries(svgs.map((s) => [s.dataset.chart, [...s.querySelectorAll('.mark')].map((m) => ({
      series: m.dataset.series, key: m.dataset.key, value: Number(m.dataset.value) }))])));
  const measured = view.campaigns.filter((c) => c.incremental);
  const models = [...new Set(view.campaigns.flatMap((c) => Object.keys(c.credited)))];
  assert.equal(marks.incremental.length, measured.length);
  assert.deepEqual(marks.incremental.map((m) => m.value), measured.map((c) => c.incremental.visitors ?? c.incremental.visits));
  assert.deepEqual(marks.iroas.map((m) => m.value), measured.map((c) => c.incremental.iroas));
  assert.equal(marks.credited.length, view.campaigns.length * models.length + measured.length);
  for (const m of marks.credited.filter((m) => m.series.startsWith('credited: '))) {
    const c = view.campaigns.find((c) => m.key.includes(c.campaign));
    assert.equal(m.value, c.credited[m.series.slice('credited: '.length)]);
  }
  assert.equal(marks.daily.length, 2 * view.daily.length);
  assert.ok(view.daily.length >= 28, 'a daily series over the period');
  assert.deepEqual(marks.daily.filter((m) => m.series === 'holdout').map((m) => m.value), view.daily.map((d) => d.holdout));
  assert.equal(marks.lag.length, view.ropo.webrooming_lag.length + view.ropo.showrooming_lag.length);
  assert.deepEqual(marks.lag.slice(0, 0), []);
  assert.deepEqual(marks.by_method.map((m) => m.value), Object.values(view.visits.by_method));
  assert.equal(marks.by_store.length, Math.min(20, view.by_store.length));
});

test('nothing overlaps, the page fits its width, and a screenshot is written', live, async () => {
  for (const width of [900, 760]) {
    await page.setViewportSize({ width, height: 1200 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `at ${width} px the page is ${overflow} px too wide`);
  }
  await page.setViewportSize({ width: 900, height: 1200 });
  const overlaps = await page.$$eval('svg[data-chart]', (svgs) => {
    const out = [];
    for (const s of svgs) {
      const boxes = [...s.querySelectorAll('text')].filter((t) => t.textContent.trim())
        .map((t) => ({ t: t.textContent, r: t.getBoundingClientRect() }));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r, b = boxes[j].r;
          const ix = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const iy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (ix > 1 && iy > 1) out.push(`${s.dataset.chart}: "${boxes[i].t}" / "${boxes[j].t}"`);
        }
      }
    }
    return out;
  });
  assert.deepEqual(overlaps, []);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  assert.ok((await stat(SCREENSHOT)).size > 10_000);
  // A4: printing gives a PDF of a few pages, not one page per chart.
  const pdf = await page.pdf({ format: 'A4', printBackground: true });
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.ok(pages >= 2 && pages <= 20, `${pages} A4 pages`);
});
