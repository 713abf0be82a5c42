// A real browser: headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) loads
// examples/web/index.html with the web build of the tag from a tiny static server on 127.0.0.1,
// and must hash an email exactly as the core does, and refuse to hash without consent.
// Missing Chromium or playwright-core is a failure (the issue requires a real browser), unless
// O2O_SKIP_BROWSER=1 says to skip, e.g. on a developer machine without Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const core = JSON.parse(readFileSync(path.join(root, 'o2o-wasm/tests/fixtures/core-outputs.json'), 'utf8'));

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

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
// Only these trees are served.
const SERVED = ['examples/web/', 'o2o-wasm/pkg/'];

let server, base, browser, profileDir;
const requests = [];

before(async () => {
  if (missing) return;
  server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const rel = path.posix.normalize(decodeURIComponent(url.pathname)).replace(/^\/+/, '');
    if (!SERVED.some((p) => rel.startsWith(p)) || rel.includes('..')) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(path.join(root, rel));
      res.writeHead(200, { 'content-type': TYPES[path.extname(rel)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  profileDir = await mkdtemp(path.join(tmpdir(), 'o2o-chromium-'));
  // A fresh profile (--user-data-dir) per run: playwright passes it for a persistent context.
  browser = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

async function submit(email, consent) {
  const page = await browser.newPage();
  page.on('request', (r) => requests.push(r.url()));
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/examples/web/index.html`);
  await page.waitForFunction(() => document.body.dataset.o2oVersion, null, { timeout: 15000 });
  await page.fill('#email', email);
  await page.check(`input[name=consent][value=${consent}]`);
  await page.click('#submit');
  await page.waitForFunction(() => document.body.dataset.result, null, { timeout: 15000 });
  const result = JSON.parse(await page.evaluate(() => document.body.dataset.result));
  await page.close();
  assert.deepEqual(errors, []);
  return result;
}

const emailCases = () =>
  core.hash.filter((c) => c.kind === 'email' && c.options.profile === 'meta' && c.options.defaultCountry === 'VN' && c.sha256);

test('the page hashes emails exactly as the core does', { skip: skip || (missing && 'no browser') }, async () => {
  const cases = emailCases();
  assert.ok(cases.length >= 3);
  for (const c of cases) {
    const r = await submit(c.value, 'granted');
    assert.equal(r.status, 'hashed', JSON.stringify(r));
    assert.equal(r.hash, c.sha256, c.value);
    const event = JSON.parse(r.event);
    assert.equal(event.type, 'touchpoint');
    assert.deepEqual(event.identifiers, [{ kind: 'email', value: c.sha256 }]);
    assert.ok(!r.event.includes(c.value.trim()), 'the raw email is not in the event');
  }
});

test('the page refuses to hash without consent', { skip: skip || (missing && 'no browser') }, async () => {
  const c = emailCases()[0];
  for (const consent of ['denied', 'none']) {
    const r = await submit(c.value, consent);
    assert.equal(r.status, 'refused', JSON.stringify(r));
    assert.equal(r.code, 'E_CONSENT_DENIED');
    assert.equal(r.hash, undefined);
  }
});

test('the page only talks to its own origin', { skip: skip || (missing && 'no browser') }, () => {
  assert.ok(requests.length > 0);
  for (const u of requests) assert.ok(u.startsWith(base), u);
});

/** Every hashing fixture — the core's own outputs and the platform fixtures (facebook-business
 * SDK / documented rules for Meta, Google, TikTok) — hashed inside Chromium by the tag. */
test('in the browser the tag hashes every fixture case as the core does', { skip: skip || (missing && 'no browser') }, async (t) => {
  const cases = core.hash.map((c) => ({ kind: c.kind, value: c.value, options: c.options, want: c.sha256 ?? null }));
  for (const p of ['meta', 'google', 'tiktok']) {
    const fx = `o2o-core/tests/fixtures/${p}/normalize.json`;
    const { provenance, cases: pc } = JSON.parse(readFileSync(path.join(root, fx), 'utf8'));
    for (const c of pc) {
      const sdk = p === 'meta' && c.follows_docs;
      const wantNorm = sdk ? c.sdk : c.expected;
      const want = wantNorm == null ? null : sdk ? c.sdk_sha256 : c.expected_sha256;
      const defaultCountry = c.default_country ?? provenance.options?.default_country;
      cases.push({ kind: c.kind, value: c.input, options: { profile: p, ...(defaultCountry ? { defaultCountry } : {}) }, want });
    }
  }
  assert.ok(cases.length >= 500);
  const page = await browser.newPage();
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`${base}/examples/web/index.html`);
  const got = await page.evaluate(async (cases) => {
    const o2o = await import('/o2o-wasm/pkg/tag-web/o2o_wasm.js');
    await o2o.default();
    const consent = o2o.Consent.fromConsentMode({ ad_user_data: 'granted' });
    return cases.map((c) => {
      try {
        return o2o.hash(consent, c.kind, c.value, c.options);
      } catch (e) {
        return e.code === 'E_INVALID_VALUE' || e.code === 'E_INVALID_INPUT' ? null : `threw ${e.code}`;
      }
    });
  }, cases);
  await page.close();
  const mismatches = cases.map((c, i) => ({ ...c, got: got[i] })).filter((c) => c.got !== c.want);
  assert.deepEqual(mismatches, []);
  t.diagnostic(`${cases.length} fixture cases hashed in Chromium, all as the core`);
});
