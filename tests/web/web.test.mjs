// The WebAssembly module and the jsPsych survey, against the `bowlby` tool:
//   BOWLBY_CLI=build/release/bowlby BOWLBY_WASM_DIR=build/wasm/web node --test tests/web/
// 1. Headless Chromium (Debian's, driven by playwright-core) answers every item of the survey;
//    the scores and the category shown must equal the tool's for the same answers.
// 2. The JavaScript API throws the library's message for an out-of-range answer, an unknown
//    instrument and the wrong number of answers.
// 3. The Node example scores a CSV exactly as the tool does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = resolve(process.env.BOWLBY_CLI ?? join(root, 'build', 'release', 'bowlby'));
const wasmDir = resolve(process.env.BOWLBY_WASM_DIR ?? join(root, 'build', 'wasm', 'web'));
const survey = join(root, 'examples', 'web-survey');
const work = mkdtempSync(join(tmpdir(), 'bowlby-web-'));
const { loadBowlby } = await import(pathToFileURL(join(wasmDir, 'bowlby.mjs')).href);

function cliScores(instrument, answers, extra = []) {
  const csv = join(work, `${instrument}.csv`);
  writeFileSync(csv, answers.map((_, i) => `i${i + 1}`).join(',') + '\n' + answers.join(',') + '\n');
  const out = execFileSync(cli, ['score', '--instrument', instrument, ...extra, csv], { encoding: 'utf8' });
  const [head, row] = out.trim().split('\n').map((l) => l.split(','));
  return Object.fromEntries(head.map((h, i) => [h, row[i]]));
}

test('the survey page shows the same scores and category as the bowlby tool', async () => {
  const { chromium } = createRequire(join(survey, 'package.json'))('playwright-core');
  const { serve } = await import(pathToFileURL(join(survey, 'serve.mjs')).href);
  const server = await serve({ port: 0, wasmDir });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const [instrument, sem] of [['ecr-s', '0.3:0.35'], ['ecr', '0.25:0.22']]) {
      const page = await browser.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${server.address().port}/index.html?instrument=${instrument}&sem=${sem}`);
      const n = instrument === 'ecr' ? 36 : 12;
      const answers = Array.from({ length: n }, (_, i) => 1 + ((i * 5 + 3) % 7));
      for (let first = 0; first < n; first += 12) {
        await page.waitForSelector(`input[name="Q0"]`);
        for (let i = first; i < Math.min(n, first + 12); ++i)
          await page.check(`input[type="radio"][name="Q${i - first}"][value="${answers[i] - 1}"]`);
        await page.click('#jspsych-survey-likert-next');
      }
      await page.waitForSelector('#results:not([hidden])');
      assert.deepEqual(errors, []);
      const shown = await page.$$eval('#results tr[data-score]', (rows) =>
        rows.map((r) => ({ name: r.dataset.score, value: r.dataset.value, text: r.querySelector('.value').textContent })));
      const expected = cliScores(instrument, answers, ['--classify', 'midpoint', '--sem', sem]);
      assert.equal(shown.length, 2);
      for (const s of shown) {
        assert.equal(Number(s.value), Number(expected[s.name]), `${instrument} ${s.name}`);
        assert.equal(s.text, Number(expected[s.name]).toFixed(4));
      }
      const category = await page.$eval('#category', (e) => ({ ...e.dataset }));
      assert.equal(category.category, expected.category);
      assert.equal(Number(category.probability || NaN), Number(expected.category_p || NaN));
      assert.equal(await page.locator('#plane #you').count(), 1);
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
});

test('a crafted link runs no script: URL parameters and item texts are shown as text', async () => {
  const { chromium } = createRequire(join(survey, 'package.json'))('playwright-core');
  const { serve } = await import(pathToFileURL(join(survey, 'serve.mjs')).href);
  const server = await serve({ port: 0, wasmDir });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const base = `http://127.0.0.1:${server.address().port}/index.html`;
  const payload = '<img src=x onerror="window.pwned=1">';
  try {
    const cases = [
      [`?instrument=${encodeURIComponent(payload)}`, `Unknown instrument '${payload}'.`],
      [`?items=${encodeURIComponent('https://attacker.example/items.json')}`, 'must come from this site'],
      [`?items=${encodeURIComponent('//attacker.example/items.json')}`, 'must come from this site'],
    ];
    for (const [query, message] of cases) {
      const page = await browser.newPage();
      const dialogs = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
      await page.goto(base + query);
      await page.waitForSelector('#survey .error');
      assert.ok((await page.textContent('#survey .error')).includes(message), query);
      assert.equal(await page.locator('#survey img').count(), 0, query);
      await page.waitForTimeout(200); // an injected onerror would have fired by now
      assert.equal(await page.evaluate(() => window.pwned), undefined, query);
      assert.deepEqual(dialogs, []);
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
});

test('the JavaScript API throws the library\'s messages', async () => {
  const bowlby = await loadBowlby();
  const answers = Array(12).fill(4);
  answers[2] = 9;
  assert.throws(() => bowlby.score('ecr-s', answers), { message: 'row 1, item 3: value 9 is outside the response scale 1..7' });
  assert.throws(() => bowlby.score('nope', Array(12).fill(4)), /unknown instrument 'nope'/);
  assert.throws(() => bowlby.score('ecr-s', Array(11).fill(4)), { message: 'ecr-s has 12 items, got 11 answers' });
  assert.throws(() => bowlby.classify('ecr', Array(36).fill(3), { method: 'brennan1998', scale: [1, 5] }),
                /calibrated|1-7/);
  // A missing answer is not an error, and the ECR given on 1-5 reverses as 6 - x.
  const r = bowlby.score('ecr', Array(36).fill(5), { scale: [1, 5] });
  assert.deepEqual(r.scores.map((s) => s.value), [86 / 18, 3]);
  assert.equal(bowlby.instruments().length, 9);
});

test('the Node example scores a CSV as the tool does', () => {
  const fixture = join(root, 'tests', 'data', 'ecr_small.csv');
  const node = execFileSync(process.execPath, [join(wasmDir, 'score-csv.mjs'), 'ecr', 'Q1:Q36', fixture], { encoding: 'utf8' });
  const tool = execFileSync(cli, ['score', '--instrument', 'ecr', '--items', 'Q1:Q36', fixture], { encoding: 'utf8' });
  const parse = (t) => t.trim().split('\n').map((l) => l.split(','));
  const a = parse(node), b = parse(tool);
  assert.deepEqual(a[0], b[0]);
  assert.equal(a.length, b.length);
  for (let r = 1; r < b.length; ++r)
    for (let c = 0; c < b[r].length; ++c) {
      if (b[r][c] === '' || Number.isNaN(Number(b[r][c]))) assert.equal(a[r][c], b[r][c]);
      else assert.equal(Number(a[r][c]), Number(b[r][c]), `row ${r}, column ${b[0][c]}`);
    }
});
