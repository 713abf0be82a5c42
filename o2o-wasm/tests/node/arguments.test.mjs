// Every wrong argument of every function of the built nodejs packages throws an Error with a
// stable `code` (E_INVALID_INPUT) and a message naming the argument: numbers, undefined and null
// where strings are expected, something other than a Consent where a Consent is, a string where
// an array is, a non-string inside an array, a freed object. Nothing traps in wasm memory
// ("memory access out of bounds") and nothing is silently coerced.
// Run by scripts/test-wasm.sh after scripts/build-wasm.sh.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const require = createRequire(import.meta.url);
const builds = {
  tag: require(path.join(root, 'o2o-wasm/pkg/tag-node/o2o_wasm.js')),
  full: require(path.join(root, 'o2o-wasm/pkg/node/o2o_wasm.js')),
};
const KEY_FILE = 'k1:3c8e2f71d4a6095be07c1a93f5486d2b9e14c7703af8256bd1e04973c28a5f16\n';
const GRANTED = {
  ad_storage: 'granted', analytics_storage: 'granted',
  ad_user_data: 'granted', ad_personalization: 'granted',
};
const NOT_STRINGS = [84912345678, undefined, null, true, {}, ['a@b.c'], () => 'x'];

/** `fn` must throw an Error whose code is E_INVALID_INPUT and whose message mentions `needle`. */
function invalid(fn, needle, what) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, `${what}: expected an Error, got ${caught}`);
  assert.equal(caught.code, 'E_INVALID_INPUT', `${what}: code of "${caught.message}"`);
  if (needle) assert.ok(caught.message.includes(needle), `${what}: "${caught.message}" lacks "${needle}"`);
  assert.doesNotMatch(caught.message, /out of bounds|unreachable/);
}

for (const [name, o2o] of Object.entries(builds)) {
  describe(`${name} build: wrong arguments`, () => {
    const consent = o2o.Consent.fromConsentMode(GRANTED);

    test('strings: numbers, undefined, null, objects are refused by name', () => {
      for (const bad of NOT_STRINGS) {
        const w = `${typeof bad} ${JSON.stringify(bad)}`;
        invalid(() => o2o.hash(consent, 'phone', bad), 'value: expected a string', `hash ${w}`);
        invalid(() => o2o.normalize('email', bad), 'value: expected a string', `normalize ${w}`);
        invalid(() => o2o.hash(consent, bad, 'a@b.c'), 'kind', `hash kind ${w}`);
        invalid(() => o2o.Consent.fromTcString(bad), 'tc: expected a string', `fromTcString ${w}`);
        invalid(() => o2o.voucherCanonical(bad), 'code: expected a string', `voucherCanonical ${w}`);
        invalid(() => consent.check(bad), 'operation', `check ${w}`);
        invalid(() => consent.allows(bad), 'operation', `allows ${w}`);
        const h = new o2o.UploadHasher(consent);
        invalid(() => h.hash('email', bad), 'value: expected a string', `UploadHasher.hash ${w}`);
        h.free();
      }
      // The number of the issue: 84912345678 used to trap the wasm.
      invalid(() => o2o.hash(consent, 'phone', 84912345678), 'got a number', 'hash(number)');
    });

    test('a Consent is required where one is expected', () => {
      for (const bad of [undefined, null, {}, GRANTED, 'granted', 1]) {
        invalid(() => o2o.hash(bad, 'email', 'a@b.c'), 'Consent', `hash(${JSON.stringify(bad)})`);
        invalid(() => new o2o.UploadHasher(bad), 'Consent', `UploadHasher(${JSON.stringify(bad)})`);
      }
    });

    test('hashMany takes an array of strings, nothing else', () => {
      const h = new o2o.UploadHasher(consent);
      invalid(() => h.hashMany('email', 'a@b.c'), 'values: expected an array, got a string', 'string');
      invalid(() => h.hashMany('email', undefined), 'values: expected an array', 'undefined');
      invalid(() => h.hashMany('email', ['a@b.c', 7]), 'values[1]: expected a string, got a number', 'number inside');
      invalid(() => h.hashMany('email', [null]), 'values[0]', 'null inside');
      assert.deepEqual(h.hashMany('email', []), []);
      assert.equal(h.hashMany('email', ['a@b.c', 'nope'])[1], '');
      h.free();
    });

    test('freed objects are refused with a code, not a null-pointer panic', () => {
      const c = o2o.Consent.fromConsentMode(GRANTED);
      c.free();
      invalid(() => o2o.hash(c, 'email', 'a@b.c'), 'freed', 'hash(freed consent)');
      invalid(() => c.check('measure'), 'freed', 'freed consent.check');
      const h = new o2o.UploadHasher(consent);
      h.free();
      invalid(() => h.hash('email', 'a@b.c'), 'freed', 'freed hasher');
      invalid(() => h.hashMany('email', ['a@b.c']), 'freed', 'freed hasher.hashMany');
    });

    test('objects where objects are expected', () => {
      for (const bad of [undefined, null, 'granted', 3]) {
        invalid(() => o2o.Consent.fromConsentMode(bad), 'consent mode', `fromConsentMode(${bad})`);
        invalid(() => o2o.touchpointEvent(bad), 'touchpoint', `touchpointEvent(${bad})`);
      }
      invalid(() => o2o.normalize('email', 'a@b.c', 'meta'), 'options', 'options as a string');
      invalid(() => o2o.touchpointEvent({ action: 'visit', channel: 'web', timestamp: 1, identifiers: 'x' }),
        'identifiers', 'identifiers not an array');
    });

    if (name === 'full') {
      test('full build: strings, numbers and arrays are checked', () => {
        for (const bad of NOT_STRINGS) {
          invalid(() => o2o.decodeTcString(bad), 'tc: expected a string', 'decodeTcString');
          invalid(() => o2o.readNdjson(bad), 'text: expected a string', 'readNdjson');
          invalid(() => new o2o.VoucherVerifier(bad), 'keyFile: expected a string', 'VoucherVerifier');
          invalid(() => o2o.attributePaths(bad, 'linear'), 'pathTable: expected a string', 'attributePaths');
          invalid(() => o2o.attributePaths('path;total_conversions\na;1\n', bad), 'model', 'attributePaths model');
        }
        const v = new o2o.VoucherVerifier(KEY_FILE);
        invalid(() => v.verify(12), 'code: expected a string', 'verify(number)');
        invalid(() => v.verify('0000000000000000', '2026-01-01', 42), 'customer: expected a string', 'verify customer');
        invalid(() => v.verify('0000000000000000', {}), 'today', 'verify today');
        v.free();
        invalid(() => v.verify('0000000000000000'), 'freed', 'freed verifier');
        // Numbers are numbers: a numeric string is not read as one.
        invalid(() => o2o.powerProportions('0.1', 0.2), 'baseline: expected a number, got a string', 'power');
        invalid(() => o2o.mdeProportions(0.1, undefined), 'nPerGroup: expected a number', 'mde');
        invalid(() => o2o.compareProportions({ successes: 1, trials: 10 }, { successes: 1, trials: 10 }, '0.05'),
          'alpha: expected a number', 'alpha');
        invalid(() => o2o.compareProportions(undefined, { successes: 1, trials: 10 }), 'test', 'counts');
        invalid(() => o2o.welchTTest('1,2,3', [1, 2, 3]), 'test: expected an array, got a string', 'welch');
        invalid(() => o2o.welchTTest([1, '2', 3], [1, 2, 3]), 'test[1]: expected a number', 'welch element');
        invalid(() => o2o.welchTTest([1, 2, 3], [1, 2, 3], 0.05, 7), 'alternative: expected a string', 'alt');
        assert.equal(typeof o2o.welchTTest([1, 2, 3, 4], [2, 3, 4, 5]).p_value, 'number');
      });
    }
  });
}
