// Statistics at the edges of double precision through the built nodejs package (full build):
// means of ±1e308, counts near 1e308 or past 2^53, NaN and out-of-range settings. Every call
// either returns numbers that are all finite, or throws an Error with a stable `code` and a
// message — never NaN, Infinity or null in a result, never a crash of the module (a trap would
// poison every later call, which the last test checks).
// Run by scripts/ci/test-wasm.sh after scripts/build-wasm.sh.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const require = createRequire(import.meta.url);
const o2o = require(path.join(root, 'o2o-wasm/pkg/node/o2o_wasm.js'));

/** Every number in `v` (deeply), with its path. */
function numbers(v, at = '$', out = []) {
  if (typeof v === 'number') out.push([at, v]);
  else if (v === null || v === undefined) out.push([at, v]);
  else if (Array.isArray(v)) v.forEach((x, i) => numbers(x, `${at}[${i}]`, out));
  else if (typeof v === 'object') for (const [k, x] of Object.entries(v)) numbers(x, `${at}.${k}`, out);
  return out;
}

/** The result has no NaN, no infinity and no null/undefined anywhere. */
function assertFinite(result, what) {
  const bad = numbers(result).filter(([, x]) => !Number.isFinite(x));
  assert.deepEqual(bad, [], `${what}: non-finite values`);
  return result;
}

/** Runs `fn`, expecting an Error with `code` whose message mentions `needle`. */
function throwsCode(fn, code, needle) {
  let caught;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof Error, `expected an Error with code ${code}, got ${caught}`);
  assert.equal(caught.code, code, `code of: ${caught.message}`);
  if (needle) assert.ok(caught.message.includes(needle), `${caught.message} should mention ${needle}`);
  return caught;
}

/** Either finite numbers or a coded error (E_ANALYSIS for the statistics, E_INVALID_INPUT for
 * an argument): the two outcomes the API documents. Returns the result or the error. */
function finiteOrCoded(fn, what) {
  let r;
  try {
    r = fn();
  } catch (e) {
    assert.ok(e instanceof Error, `${what}: threw ${e}`);
    assert.ok(['E_ANALYSIS', 'E_INVALID_INPUT'].includes(e.code), `${what}: code ${e.code} (${e.message})`);
    assert.ok(e.message.length > 0, what);
    return e;
  }
  return assertFinite(r, what);
}

const HUGE_PATHS = 'path;total_conversions;total_null\na > b;1e308;1e308\nb;1e307;3e307\n';
const SMALL_PATHS = 'path;total_conversions;total_null\na > b;10;10\nb;1;3\n';
const OVERFLOW_PATHS = 'path;total_conversions;total_null\na;1e308;1\na > b;1e308;1\nb > a;1e308;1\n';
const close = (a, b, rel) => Math.abs(a - b) <= rel * Math.abs(b);

describe('full build at the edges', () => {
  test('welchTTest: ±1e308 means are refused; huge equal means and spreads stay finite', () => {
    const up = [1e308, 1e308 * 0.999, 1e308 * 0.998];
    const down = up.map((x) => -x);
    throwsCode(() => o2o.welchTTest(up, down), 'E_ANALYSIS', 'not a finite number');
    throwsCode(() => o2o.welchTTest(down, up, 0.05, 'larger'), 'E_ANALYSIS', 'not a finite number');
    // Differences of 1e305 between huge values: either finite figures or a coded refusal.
    finiteOrCoded(() => o2o.welchTTest(up, up.map((x) => x * 0.99)), 'welch near 1e308');
    // Same sample on both sides: no difference, t = 0.
    const same = finiteOrCoded(() => o2o.welchTTest(up, up), 'welch equal huge samples');
    if (!(same instanceof Error)) assert.equal(same.t, 0);
    throwsCode(() => o2o.welchTTest([1, NaN, 3], [1, 2, 3]), 'E_ANALYSIS');
    throwsCode(() => o2o.welchTTest([1, Infinity, 3], [1, 2, 3]), 'E_ANALYSIS');
  });

  test('compareProportions: counts past 2^53 give the closed-form z, never a wrapped sum', () => {
    const n = 2 ** 62; // exact in a double; two arms sum past 2^63
    const a = 2 ** 61, b = 2 ** 60;
    const r = assertFinite(
      o2o.compareProportions({ successes: a, trials: n }, { successes: b, trials: n }),
      'proportions near 2^63',
    );
    const p1 = a / n, p2 = b / n, p = (p1 + p2) / 2;
    const z = (p1 - p2) / Math.sqrt(p * (1 - p) * (2 / n));
    assert.ok(close(r.z, z, 1e-9), `z ${r.z} vs ${z}`);
    // Counts a double cannot hold exactly (or at all) as an integer are refused, not rounded.
    finiteOrCoded(() => o2o.compareProportions({ successes: 1e308, trials: 1e308 }, { successes: 1, trials: 2 }),
      'proportions 1e308');
    throwsCode(() => o2o.compareProportions({ successes: NaN, trials: 10 }, { successes: 1, trials: 10 }),
      'E_INVALID_INPUT');
  });

  test('powerProportions and mdeProportions refuse NaN and out-of-range settings', () => {
    for (const args of [[NaN, 0.1], [0.1, NaN], [0.1, 0.1, 2], [0.1, 0.1, 0.05, 2], [0.1, 0.1, Infinity]]) {
      const e = finiteOrCoded(() => o2o.powerProportions(...args), `powerProportions(${args})`);
      assert.ok(e instanceof Error, `powerProportions(${args}) should be refused`);
    }
    for (const args of [[NaN, 1000], [0.1, NaN], [0.1, 1000, 2], [0.1, 1000, 0.05, 2], [0.1, 1000, -1]]) {
      const e = finiteOrCoded(() => o2o.mdeProportions(...args), `mdeProportions(${args})`);
      assert.ok(e instanceof Error, `mdeProportions(${args}) should be refused`);
    }
    // Tiny effects need huge samples: a finite answer or a refusal, in bounded time.
    finiteOrCoded(() => o2o.powerProportions(0.1, 1e-12), 'power for an effect of 1e-12');
    finiteOrCoded(() => o2o.mdeProportions(0.1, 1e300), 'mde for 1e300 customers');
    finiteOrCoded(() => o2o.mdeProportions(1e-300, 10), 'mde for a baseline of 1e-300');
  });

  test('attributePaths: Markov on counts of 1e308 is the small table scaled; an overflowing credit is refused', () => {
    const huge = assertFinite(o2o.attributePaths(HUGE_PATHS, 'markov'), 'markov 1e308');
    const small = o2o.attributePaths(SMALL_PATHS, 'markov');
    for (const c of ['a', 'b']) {
      const h = huge.credit.channels.find((x) => x.channel === c).conversions;
      const s = small.credit.channels.find((x) => x.channel === c).conversions;
      assert.ok(close(h / 1e307, s, 1e-9), `${c}: ${h} vs ${s}`);
    }
    assert.ok(close(huge.credit.p_conversion, small.credit.p_conversion, 1e-12));
    for (const model of ['markov', 'first', 'linear', 'shapley']) {
      throwsCode(() => o2o.attributePaths(OVERFLOW_PATHS, model), 'E_ANALYSIS', 'not a finite number');
    }
  });

  test('the module still answers after all of the above (no trap)', () => {
    // statsmodels proportions_ztest([230, 100], [1000, 1000]), as in the C tests.
    const r = o2o.compareProportions({ successes: 230, trials: 1000 }, { successes: 100, trials: 1000 });
    assert.ok(close(r.z, 7.831467403441269, 1e-9), `z ${r.z}`);
  });
});
