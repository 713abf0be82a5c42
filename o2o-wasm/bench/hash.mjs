// Emails normalised and SHA-256-hashed per second: o2o-wasm (nodejs build, synchronous, the
// core's Meta rules) against plain JS with WebCrypto (`crypto.subtle.digest`, trim + lowercase,
// hex). Run manually after scripts/build-wasm.sh:
//   node o2o-wasm/bench/hash.mjs [count] [build: tag-node|node]
// Both sides hash the same emails and must agree on every digest (checked before timing).
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { webcrypto } from 'node:crypto';

const here = path.dirname(fileURLToPath(import.meta.url));
const N = Number(process.argv[2] || 200000);
const build = process.argv[3] || 'tag-node';
const o2o = createRequire(import.meta.url)(path.join(here, '..', 'pkg', build, 'o2o_wasm.js'));
const subtle = webcrypto.subtle;

// Deterministic emails (mulberry32), mixed case and stray spaces as forms produce them.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const r = rng(20261123);
const names = ['ann', 'Binh', 'chi', 'Dung', 'em', 'Giang', 'hoa', 'Khanh', 'linh', 'Minh'];
const domains = ['Example.com', 'gmail.com', 'yahoo.com.vn', 'Shop.vn'];
const emails = Array.from({ length: N }, (_, i) => {
  const n = names[Math.floor(r() * names.length)];
  const d = domains[Math.floor(r() * domains.length)];
  return `${r() < 0.2 ? ' ' : ''}${n}.${i}@${d}${r() < 0.2 ? ' ' : ''}`;
});

const hex = (buf) => {
  const b = new Uint8Array(buf);
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
};
const enc = new TextEncoder();
const jsHash = async (e) => hex(await subtle.digest('SHA-256', enc.encode(e.trim().toLowerCase())));

const consent = o2o.Consent.fromConsentMode({ ad_user_data: 'granted' });
const hasher = new o2o.UploadHasher(consent, { profile: 'meta' });

// Agreement first.
for (let i = 0; i < 1000; i++) {
  const a = hasher.hash('email', emails[i]);
  const b = await jsHash(emails[i]);
  if (a !== b) throw new Error(`disagree on ${JSON.stringify(emails[i])}: ${a} vs ${b}`);
}

async function time(label, fn) {
  await fn(emails.slice(0, 2000)); // warm-up
  const t0 = process.hrtime.bigint();
  await fn(emails);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = N / s;
  console.log(`${label.padEnd(48)} ${rate.toFixed(0).padStart(10)} emails/s`);
  return rate;
}

console.log(`${N} emails, node ${process.version}, build ${build}`);
const wasmOne = await time('o2o-wasm UploadHasher.hash (one call per email)', (xs) => {
  for (const e of xs) hasher.hash('email', e);
});
const wasmMany = await time('o2o-wasm UploadHasher.hashMany (one call)', (xs) => {
  hasher.hashMany('email', xs);
});
const wasmFn = await time('o2o-wasm hash(consent, …) (gate + options per call)', (xs) => {
  for (const e of xs) o2o.hash(consent, 'email', e, { profile: 'meta' });
});
const jsSeq = await time('JS crypto.subtle.digest, awaited one by one', async (xs) => {
  for (const e of xs) await jsHash(e);
});
const jsPar = await time('JS crypto.subtle.digest, Promise.all batches of 1000', async (xs) => {
  for (let i = 0; i < xs.length; i += 1000) await Promise.all(xs.slice(i, i + 1000).map(jsHash));
});
console.log(`ratio o2o-wasm hash() / JS awaited:        ${(wasmFn / jsSeq).toFixed(2)}x`);
console.log(`ratio UploadHasher.hash / JS awaited:      ${(wasmOne / jsSeq).toFixed(2)}x`);
console.log(`ratio UploadHasher.hashMany / JS batched:  ${(wasmMany / jsPar).toFixed(2)}x`);
