// The WebAssembly module, the jsPsych timeline and the study page, against the `bowlby` tool:
//   BOWLBY_CLI=build/release/bowlby BOWLBY_WASM_DIR=build/wasm/web node --test tests/web/
// One server and one headless Chromium (Debian's, driven by playwright-core) serve every
// browser test: the study page, and a researcher's own experiment built around the timeline. Reference values come from `bowlby score` on the same answers in a CSV;
// Brennan et al.'s functions for the plot check are typed from the publication.
// Screenshots go to BOWLBY_WEB_OUTPUT (default build/web-test-output/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = resolve(process.env.BOWLBY_CLI ?? join(root, 'build', 'release', 'bowlby'));
const wasmDir = resolve(process.env.BOWLBY_WASM_DIR ?? join(root, 'build', 'wasm', 'web'));
const output = resolve(process.env.BOWLBY_WEB_OUTPUT ?? join(root, 'build', 'web-test-output'));
const survey = join(root, 'examples', 'web-survey');
const work = mkdtempSync(join(tmpdir(), 'bowlby-web-'));
mkdirSync(output, { recursive: true });
const { loadBowlby } = await import(pathToFileURL(join(wasmDir, 'bowlby.mjs')).href);

// `bowlby score` on one respondent's answers; extra columns (e.g. the RQ's forced choice) follow.
function cliScores(instrument, answers, args = [], extra = {}) {
  const csv = join(work, `${instrument}.csv`);
  const head = [...answers.map((_, i) => `i${i + 1}`), ...Object.keys(extra)];
  const row = [...answers.map((a) => a ?? ''), ...Object.values(extra)];
  writeFileSync(csv, `${head.join(',')}\n${row.join(',')}\n`);
  const out = execFileSync(cli, ['score', '--instrument', instrument, '--items', `i1:i${answers.length}`, ...args, csv], { encoding: 'utf8' });
  const [h, r] = out.trim().split('\n').map((l) => l.split(','));
  return Object.fromEntries(h.map((name, i) => [name, r[i]]));
}

// --- the shared server and browser ----------------------------------------------------------

let server, browser, base;
const posts = [];
let failNextPosts = 0;
// Files a test serves from the study's site: path -> JSON text.
const served = new Map();
// A researcher's own experiment: a trial of theirs, bowlby's timeline, another of theirs, and
// their own on_finish, which keeps the data where the test can read them.
const researcherPage = `<!DOCTYPE html><html><head>
<script src="node_modules/jspsych/dist/index.browser.min.js"></script>
<script src="node_modules/@jspsych/plugin-survey-likert/dist/index.browser.min.js"></script>
</head><body><script type="module">
import { loadBowlby } from './bowlby/bowlby.mjs';
import { bowlbyTimeline } from './bowlby/bowlby-jspsych.mjs';
const bowlby = await loadBowlby();
const jsPsych = initJsPsych({ on_finish: (data) => { window.researcherData = data.values(); } });
const mine = (name) => ({ type: jsPsychSurveyLikert, questions: [], preamble: name, data: { mine: name } });
jsPsych.run([mine('welcome'), bowlbyTimeline(jsPsych, bowlby, { instrument: 'ecr-s', sem: [0.3, 0.35] }), mine('thanks')]);
</script></body></html>`;
// An items file with a consent page, the RQ's paragraphs and forced-choice labels, a debrief.
const rqItems = {
  consent: '<p>I agree that <b>my answers</b> are used for research.</p>',
  items: ['Paragraph A', 'Paragraph B', 'Paragraph C', 'Paragraph D'],
  forced_choice: ['A', 'B', 'C', 'D'],
  debrief: 'Thanks <b>for</b> taking part.',
};

before(async () => {
  const { staticHandler, readBody } = await import(pathToFileURL(join(survey, 'serve.mjs')).href);
  const get = staticHandler(wasmDir);
  // The survey's files, and POST /collect: answers 500 while failNextPosts > 0, then keeps the body.
  server = createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/collect') {
      const body = await readBody(req);
      if (failNextPosts > 0) { --failNextPosts; res.writeHead(500).end(); return; }
      posts.push(JSON.parse(body));
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    if (req.url === '/researcher.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(researcherPage);
      return;
    }
    if (served.has(req.url)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(served.get(req.url));
      return;
    }
    if (req.url === '/rq-items.json') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rqItems));
      return;
    }
    return get(req, res);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${server.address().port}`;
  const { chromium } = createRequire(join(survey, 'package.json'))('playwright-core');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.close();
});

// A page whose script errors and dialogs fail the test.
async function open(query, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('dialog', (d) => { page.errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  if (query !== null) await page.goto(`${base}/index.html${query}`);
  return page;
}

const close = (page) => page.context().close();

// Answers every item page (answers on the instrument's scale, lo = 1) by clicking the radios.
async function answerAll(page, answers, perPage = 12) {
  for (let first = 0; first < answers.length; first += perPage) {
    await page.waitForSelector(`input[name="Q0"]`);
    for (let i = first; i < Math.min(answers.length, first + perPage); ++i)
      await page.check(`input[type="radio"][name="Q${i - first}"][value="${answers[i] - 1}"]`);
    await page.click('#jspsych-survey-likert-next');
  }
}

const scored = (page, instrument) =>
  page.evaluate((id) => window.jsPsych.data.get().filter({ bowlby_instrument: id }).values().pop(), instrument);

const cycle = (n, k = 5, c = 3, top = 7) => Array.from({ length: n }, (_, i) => 1 + ((i * k + c) % top));

// --- the timeline's data ----------------------------------------------------------------------

test('the timeline writes into jsPsych\'s data what bowlby score gives for the same answers', async () => {
  for (const [instrument, query, args] of [
    ['ecr-s', '&sem=0.3:0.35', ['--classify', 'midpoint', '--sem', '0.3:0.35']],
    ['ecr', '&method=brennan1998&sem=0.25:0.22&per_page=18', ['--classify', 'brennan1998', '--sem', '0.25:0.22']],
    ['aas', '', ['--classify', 'aas', '--sem', '0.3:0.3']],
  ]) {
    const page = await open(`?instrument=${instrument}${query}`);
    const n = { 'ecr-s': 12, ecr: 36, aas: 18 }[instrument];
    const answers = cycle(n, 5, 3, instrument === 'aas' ? 5 : 7);
    await answerAll(page, answers, query.includes('per_page=18') ? 18 : 12);
    await page.waitForSelector('body[data-finished="yes"]');
    const data = await scored(page, instrument);
    const expected = cliScores(instrument, answers, args);
    assert.deepEqual(Object.values(data.answers), answers, instrument);
    const names = Object.keys(expected).filter((k) => k.endsWith('_n')).map((k) => k.slice(0, -2));
    assert.ok(names.length >= 2);
    for (const name of names) {
      assert.equal(data[name], Number(expected[name]), `${instrument} ${name}`);
      assert.equal(data[`${name}_n`], Number(expected[`${name}_n`]), `${instrument} ${name}_n`);
      assert.equal(data[`${name}_status`], 'complete');
    }
    assert.equal(expected.status, 'complete');
    assert.equal(data.category, expected.category, instrument);
    if (instrument !== 'aas') assert.equal(data.category_p, Number(expected.category_p), instrument);
    assert.equal(data.rule.method, args[1]);
    assert.deepEqual(page.errors, []);
    await close(page);
  }
});

test('a researcher\'s own experiment gets the scores in its data and keeps its own on_finish', async () => {
  const page = await open(null);
  await page.goto(`${base}/researcher.html`);
  await page.waitForSelector('text=welcome');
  await page.click('#jspsych-survey-likert-next');
  const answers = cycle(12, 3, 2);
  await answerAll(page, answers);
  await page.waitForSelector('text=thanks');
  await page.click('#jspsych-survey-likert-next');
  await page.waitForFunction(() => window.researcherData !== undefined);
  const data = await page.evaluate(() => window.researcherData);
  assert.deepEqual(data.map((t) => t.mine ?? t.bowlby_part), ['welcome', 'items', 'thanks']);
  const expected = cliScores('ecr-s', answers, ['--classify', 'midpoint', '--sem', '0.3:0.35']);
  const scoredTrial = data[1];
  for (const name of ['anxiety', 'avoidance']) {
    assert.equal(scoredTrial[name], Number(expected[name]));
    assert.equal(scoredTrial[`${name}_n`], Number(expected[`${name}_n`]));
  }
  assert.equal(scoredTrial.category, expected.category);
  assert.equal(scoredTrial.category_p, Number(expected.category_p));
  assert.deepEqual(scoredTrial.rule, { method: 'midpoint', source: "the response scale's midpoint", sem: [0.3, 0.35], forced_choice: null });
  assert.deepEqual(page.errors, []);
  await close(page);
});

test('the RQ asks the forced choice, which breaks a tie as bowlby score does, and says nothing of standard errors', async () => {
  const page = await open('?instrument=rq&results=show&items=/rq-items.json');
  await page.waitForSelector('text=my answers');
  assert.equal(await page.textContent('#jspsych-survey-likert-preamble b'), 'my answers');
  await page.click('#jspsych-survey-likert-next'); // consent
  const ratings = [6, 6, 2, 3];
  assert.equal(await page.textContent('.jspsych-survey-likert-statement'), 'Paragraph A');
  for (let i = 0; i < 4; ++i) await page.check(`input[name="Q${i}"][value="${ratings[i] - 1}"]`);
  await page.click('#jspsych-survey-likert-next');
  await page.waitForSelector('.jspsych-survey-likert-statement >> text=fits you best');
  assert.deepEqual(await page.$$eval('input[name="Q0"]', (i) => i.map((x) => x.labels[0].textContent)), ['A', 'B', 'C', 'D']);
  await page.check('input[name="Q0"][value="1"]'); // the second description: fearful
  await page.click('#jspsych-survey-likert-next');
  await page.waitForSelector('#results:not([hidden])');
  const data = await scored(page, 'rq');
  const expected = cliScores('rq', ratings, ['--classify', 'rq', '--forced-choice', 'fc'], { fc: 'B' });
  assert.equal(data.category, expected.category);
  assert.equal(data.category, 'fearful');
  assert.equal(data.rule.forced_choice, 'fearful');
  // Four ratings of four descriptions are not screened: no indices, no note.
  assert.equal(data.n_flags, undefined);
  assert.equal(await page.locator('#attention').count(), 0);
  const text = await page.textContent('#results');
  assert.doesNotMatch(text, /standard error|firmness|\bSEM\b/i);
  assert.match(await page.textContent('#margin'), /highest ratings were equal; your choice .* decided/);
  assert.equal(await page.textContent('#debrief'), 'Thanks <b>for</b> taking part.'); // text, not HTML
  assert.equal((await page.evaluate(() => window.jsPsych.data.get().values()))[0].consent, 'agreed');
  assert.deepEqual(page.errors, []);
  await close(page);
});

// --- parameters -------------------------------------------------------------------------------

test('each bad parameter shows its message, naming it and what is allowed, before the first item', async () => {
  const cases = [
    ['?instrument=nope', "Parameter 'instrument'", 'ecr, ecr-r'],
    ['?method=nope', "Parameter 'method'", 'midpoint, brennan1998'],
    ['?instrument=ecr-s&method=brennan1998', "Parameter 'method'", 'Allowed: midpoint'],
    ['?instrument=rsq&method=midpoint', "Parameter 'method'", 'none for this instrument'],
    ['?sem=abc', "Parameter 'sem'", 'ANX:AVO'],
    ['?sem=0.3:-1', "Parameter 'sem'", 'ANX:AVO'],
    ['?instrument=rq&sem=0.3:0.3', "Parameter 'sem'", 'no firmness'],
    ['?per_page=abc', "Parameter 'per_page'", 'whole number'],
    ['?per_page=0', "Parameter 'per_page'", '1-36'],
    ['?per_page=37', "Parameter 'per_page'", '1-36'],
    ['?id=a%20b', "Parameter 'id'", 'letters, digits'],
    ['?PROLIFIC_PID=%3Cx%3E', "Parameter 'PROLIFIC_PID'", 'letters, digits'],
    ['?download=pdf', "Parameter 'download'", 'csv, json'],
    ['?results=maybe', "Parameter 'results'", 'hide, show'],
    ['?post=https%3A%2F%2Fattacker.example%2Fcollect', "Parameter 'post'", 'must come from this site'],
    ['?redirect=javascript%3Aalert(1)', "Parameter 'redirect'", 'http or https'],
    ['?redirect=nothing', "Parameter 'redirect'", 'http or https'],
    ['?items=missing.json', "Parameter 'items'", 'cannot be loaded'],
  ];
  const page = await open(null);
  for (const [query, name, allowed] of cases) {
    await page.goto(`${base}/index.html${query}`);
    await page.waitForSelector('#survey .error');
    const message = await page.textContent('#survey .error');
    assert.ok(message.includes(name) && message.includes(allowed), `${query}: ${message}`);
    assert.equal(await page.locator('.jspsych-survey-likert-opts').count(), 0, query);
  }
  assert.deepEqual(page.errors, []);
  await close(page);
});

test('a loading message shows while the module loads, and a clear message if it fails', async () => {
  const page = await open(null);
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.route('**/bowlby-wasm.cjs', async (route) => { await held; await route.abort(); });
  await page.goto(`${base}/index.html`, { waitUntil: 'domcontentloaded' });
  assert.match(await page.textContent('#loading'), /Loading the questionnaire/);
  release();
  await page.waitForSelector('#survey .error');
  assert.match(await page.textContent('#survey .error'), /could not be loaded/);
  await close(page);
});

test('an instrument without anxiety and avoidance (the RSQ) runs without a category and says why', async () => {
  const page = await open('?instrument=rsq&results=show&per_page=30');
  const answers = cycle(30, 3, 1, 5);
  await answerAll(page, answers, 30);
  await page.waitForSelector('#results:not([hidden])');
  const data = await scored(page, 'rsq');
  assert.equal(data.category, null);
  assert.match(data.category_reason, /rsq has no anxiety and avoidance scores/);
  assert.match(await page.textContent('#category'), /no attachment group: rsq has no anxiety and avoidance/);
  const expected = cliScores('rsq', answers);
  for (const name of ['secure', 'fearful', 'preoccupied', 'dismissing']) assert.equal(data[name], Number(expected[name]));
  assert.equal(await page.locator('#plane').count(), 0);
  await close(page);
});

test('a crafted link runs no script: URL parameters and item texts are shown as text', async () => {
  const payload = '<img src=x onerror="window.pwned=1">';
  const cases = [
    [`?instrument=${encodeURIComponent(payload)}`, `unknown instrument '${payload}'`],
    [`?method=${encodeURIComponent(payload)}`, payload],
    [`?id=${encodeURIComponent(payload)}`, payload],
    [`?items=${encodeURIComponent('https://attacker.example/items.json')}`, 'must come from this site'],
    [`?items=${encodeURIComponent('//attacker.example/items.json')}`, 'must come from this site'],
  ];
  for (const [query, message] of cases) {
    const page = await open(query);
    await page.waitForSelector('#survey .error');
    assert.ok((await page.textContent('#survey .error')).includes(message), query);
    assert.equal(await page.locator('#survey img').count(), 0, query);
    await page.waitForTimeout(200); // an injected onerror would have fired by now
    assert.equal(await page.evaluate(() => window.pwned), undefined, query);
    assert.deepEqual(page.errors, []);
    await close(page);
  }
});

// --- saving -----------------------------------------------------------------------------------

test('the data are POSTed to the study\'s server, kept and retried when it first answers 500, then the respondent is redirected', async () => {
  posts.length = 0;
  failNextPosts = 1;
  // attention=hide: answered at a robot's speed, the answers raise seconds_per_item, and a note would hold the redirect back.
  const page = await open(`?instrument=ecr-s&id=P-17&post=/collect&attention=hide&redirect=${encodeURIComponent(`${base}/done?cc=1`)}`);
  const answers = cycle(12);
  await answerAll(page, answers);
  await page.waitForSelector('#retry');
  assert.match(await page.textContent('#save-status'), /could not be sent/);
  const kept = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('bowlby-pending:')).length);
  assert.equal(kept, 1);
  assert.equal(posts.length, 0);
  await Promise.all([page.waitForURL(`${base}/done?cc=1`), page.click('#retry')]);
  assert.equal(posts.length, 1);
  const trial = posts[0].find((t) => t.bowlby_instrument === 'ecr-s');
  assert.equal(trial.participant_id, 'P-17');
  assert.equal(trial.anxiety, Number(cliScores('ecr-s', answers).anxiety));
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('bowlby-pending:')).length), 0);
  await close(page);
});

test('download=csv offers jsPsych\'s CSV with the scores and the participant id', async () => {
  const page = await open('?instrument=ecr-s&PROLIFIC_PID=5f0c1a2b3c4d5e6f7a8b9c0d&download=csv');
  await answerAll(page, cycle(12));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const csv = readFileSync(await download.path(), 'utf8');
  const head = csv.split('\n')[0];
  for (const column of ['participant_id', 'prolific_pid', 'anxiety', 'anxiety_n', 'category']) assert.ok(head.includes(`"${column}"`), column);
  assert.ok(csv.includes('5f0c1a2b3c4d5e6f7a8b9c0d'));
  await close(page);
});

// --- phones and accessibility ---------------------------------------------------------------

test('the survey fits 360 px and 1280 px, is keyboard operable, and its radios are labelled', async () => {
  for (const [name, viewport] of [['phone', { width: 360, height: 740 }], ['desktop', { width: 1280, height: 900 }]]) {
    const page = await open('?instrument=ecr-s&items=items.example.json&results=show&sem=0.3:0.35', viewport);
    await page.waitForSelector('input[name="Q0"]');
    assert.equal(await page.locator('#loading').count(), 0, 'the loading message is gone');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= viewport.width, `${name}: wider than the screen`);
    const labelled = await page.$$eval('input[type=radio]', (inputs) => inputs.every((i) => i.labels.length === 1 && i.labels[0].textContent.trim() !== ''));
    assert.ok(labelled, 'every radio has a label');
    const groups = await page.$$eval('.jspsych-survey-likert-opts', (uls) =>
      uls.every((u) => u.getAttribute('role') === 'radiogroup' && document.getElementById(u.getAttribute('aria-labelledby'))?.textContent.trim()));
    assert.ok(groups, 'every scale is a radio group named by its statement');
    await page.screenshot({ path: join(output, `survey-${name}.png`), fullPage: true });
    // The keyboard: focus the first point of the first item, an arrow moves to the next point.
    await page.focus('input[name="Q0"][value="0"]');
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.$eval('input[name="Q0"][value="1"]', (i) => i.checked), true);
    await answerAll(page, cycle(12));
    await page.waitForSelector('#results:not([hidden])');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= viewport.width, `${name}: results wider than the screen`);
    await page.screenshot({ path: join(output, `results-${name}.png`), fullPage: true });
    assert.deepEqual(page.errors, []);
    await close(page);
  }
});

// --- results ------------------------------------------------------------------------------------

// Brennan, Clark & Shaver (1998): Fisher classification functions for ECR means on 1-7,
// (anxiety, avoidance, constant) for secure, preoccupied, dismissing, fearful.
const brennan = {
  secure: [5.4725318, 3.2893296, -11.5307833],
  preoccupied: [9.7102446, 3.9246754, -28.4573220],
  dismissing: [4.9392039, 7.3654621, -22.2281088],
  fearful: [8.1776448, 7.2371075, -32.3553266],
};
const brennanCategory = (anx, avo) =>
  Object.entries(brennan).map(([c, [a, v, k]]) => [c, a * anx + v * avo + k]).sort((x, y) => y[1] - x[1])[0][0];

test('the results read as plain language, and the Brennan page\'s plot draws the rule\'s regions', async () => {
  const page = await open('?instrument=ecr&method=brennan1998&sem=0.25:0.22&results=show&per_page=36');
  const answers = cycle(36, 2, 1, 7);
  await answerAll(page, answers, 36);
  await page.waitForSelector('#results:not([hidden])');
  const expected = cliScores('ecr', answers, ['--classify', 'brennan1998', '--sem', '0.25:0.22']);
  const rows = await page.$$eval('#scores tr[data-score]', (r) => r.map((x) => ({ name: x.dataset.score, text: x.textContent, value: x.querySelector('.value').textContent })));
  assert.equal(rows.length, 2);
  for (const r of rows) {
    assert.equal(r.value, Number(expected[r.name]).toFixed(1));
    assert.match(r.text, /1 to 7/);
    assert.match(r.text, /A high score means/);
  }
  assert.match(rows[0].text, /Attachment anxiety/);
  const category = await page.textContent('#category');
  assert.ok(category.toLowerCase().includes(expected.category), category);
  assert.match(await page.textContent('#firmness'), new RegExp(`about ${Math.round(10 * Number(expected.category_p))} in 10`));
  // Each region's polygon: points well inside it fall in its category under Brennan's functions.
  const regions = await page.$$eval('#regions polygon', (ps) => ps.map((p) => ({ category: p.dataset.category, points: JSON.parse(p.dataset.region) })));
  assert.equal(regions.length, 4);
  let area = 0;
  for (const { category: c, points } of regions) {
    const cx = points.reduce((a, p) => a + p[0], 0) / points.length, cy = points.reduce((a, p) => a + p[1], 0) / points.length;
    for (const [x, y] of points) {
      for (const t of [0.1, 0.5, 0.9]) assert.equal(brennanCategory(cy + t * (y - cy), cx + t * (x - cx)), c, `${c} near (${x}, ${y})`);
    }
    for (let i = 0; i < points.length; ++i) {
      const [a, b] = [points[i], points[(i + 1) % points.length]];
      area += (a[0] * b[1] - b[0] * a[1]) / 2;
    }
  }
  assert.ok(Math.abs(Math.abs(area) - 36) < 1e-9, `the regions cover the 6 x 6 plane (${area})`);
  const you = await page.$eval('#you', (c) => [Number(c.dataset.x), Number(c.dataset.y)]);
  assert.deepEqual(you, [Number(expected.avoidance), Number(expected.anxiety)]);
  assert.equal(brennanCategory(you[1], you[0]), expected.category);
  assert.equal(await page.textContent('#x-title'), 'Attachment avoidance');
  assert.equal(await page.locator('#tick-labels text').count(), 14);
  assert.deepEqual(page.errors, []);
  await close(page);
});

test('the AAS plot names its own axis, and its regions are Collins\' cuts at 3', async () => {
  const page = await open('?instrument=aas&results=show&per_page=18');
  await answerAll(page, cycle(18, 3, 2, 5), 18);
  await page.waitForSelector('#results:not([hidden])');
  assert.equal(await page.textContent('#x-title'), 'Closeness and dependence');
  const regions = await page.$$eval('#regions polygon', (ps) => ps.map((p) => ({ category: p.dataset.category, points: JSON.parse(p.dataset.region) })));
  const secure = regions.find((r) => r.category === 'secure').points;
  // Secure: high closeness and dependence (x from 3 to 5), low anxiety (y from 1 to 3).
  assert.deepEqual([Math.min(...secure.map((p) => p[0])), Math.max(...secure.map((p) => p[0]))], [3, 5]);
  assert.deepEqual([Math.min(...secure.map((p) => p[1])), Math.max(...secure.map((p) => p[1]))], [1, 3]);
  await close(page);
});

// --- the JavaScript API in Node -----------------------------------------------------------------

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

test('the JavaScript API describes each score and each rule', async () => {
  const bowlby = await loadBowlby();
  const byId = Object.fromEntries(bowlby.instruments().map((i) => [i.id, i]));
  assert.deepEqual(byId.ecr.methods, ['midpoint', 'brennan1998']);
  assert.deepEqual(byId.aas.methods, ['aas', 'midpoint']);
  assert.deepEqual(byId.rq.methods, ['rq']);
  assert.deepEqual(byId.rsq.methods, []);
  assert.deepEqual(byId.rq.score_details.find((s) => s.name === 'model_of_self').range, [-12, 12]);
  assert.equal(byId.ecr.score_details[0].label, 'Attachment anxiety');
  const midpoint = bowlby.rule('ecr', { method: 'midpoint' });
  assert.deepEqual(midpoint.regions.map((r) => r.category), ['secure', 'preoccupied', 'dismissing', 'fearful']);
  assert.deepEqual(midpoint.regions[0].points, [[1, 1], [4, 1], [4, 4], [1, 4]]);
  assert.equal(midpoint.axes.x.score, 'avoidance');
  assert.equal(bowlby.rule('rq', { method: 'rq' }).firmness, null);
  assert.throws(() => bowlby.rule('rsq', { method: 'midpoint' }), /rsq has no anxiety and avoidance scores to classify/);
  assert.throws(() => bowlby.rule('ecr', { method: 'kmeans' }), /sample-based/);
});

test('serve.mjs --collect keeps each POST to /collect as a JSON file and refuses what is not JSON', async () => {
  const { serve } = await import(pathToFileURL(join(survey, 'serve.mjs')).href);
  const collectDir = join(work, 'collected');
  const s = await serve({ port: 0, wasmDir, collectDir });
  try {
    const url = `http://127.0.0.1:${s.address().port}/collect`;
    const ok = await fetch(url, { method: 'POST', body: JSON.stringify([{ anxiety: 3.5 }]) });
    assert.equal(ok.status, 200);
    assert.equal((await fetch(url, { method: 'POST', body: 'not json' })).status, 400);
    assert.equal((await fetch(`http://127.0.0.1:${s.address().port}/index.html`, { method: 'PUT' })).status, 405);
    const files = readdirSync(collectDir);
    assert.equal(files.length, 1);
    assert.deepEqual(JSON.parse(readFileSync(join(collectDir, files[0]), 'utf8')), [{ anxiety: 3.5 }]);
  } finally {
    s.close();
  }
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

// --- key files ------------------------------------------------------------------------------------

// The key file of docs/key-files.md: six items on 1-5 named by the data's columns, a reversed
// item, a sum subscale, a derived score, the export's code -99 for "no answer".
const myScale = {
  bowlby_key: 1,
  id: 'my-scale',
  name: 'My closeness and worry scale',
  scale: { min: 1, max: 5 },
  items: ['close1', 'close2', 'close3', 'worry1', 'worry2', 'worry3'],
  subscales: [
    { name: 'closeness', items: ['close1', 'close2', 'close3'], reversed: ['close2'], label: 'Comfort with closeness' },
    { name: 'worry', items: [4, 5, 6], aggregation: 'sum' },
  ],
  derived: [{ name: 'balance', terms: [{ subscale: 'closeness' }, { subscale: 'worry', weight: -0.5 }] }],
  missing_codes: [-99],
  min_answered: 0.5,
};

// A CSV of rows (null: an empty cell) with the given item names and extra columns.
function writeCsv(name, itemNames, rows, extra = {}) {
  const path = join(work, name);
  const head = [...itemNames, ...Object.keys(extra)];
  const lines = rows.map((r, k) => [...r.map((a) => a ?? ''), ...Object.values(extra).map((col) => col[k] ?? '')].join(','));
  writeFileSync(path, `${head.join(',')}\n${lines.join('\n')}\n`);
  return path;
}

// The tool's CSV output as objects, every cell as text.
function runCli(args) {
  const out = execFileSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }); // no summary on stderr
  const [head, ...rows] = out.trim().split('\n').map((l) => l.split(','));
  return rows.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

// The tool's message for a command that fails, without "bowlby: ".
function cliError(args) {
  try {
    execFileSync(cli, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return e.stderr.trim().split('\n')[0].replace(/^bowlby: /, '');
  }
  throw new Error(`bowlby ${args.join(' ')} did not fail`);
}

const writeKey = (name, key) => {
  const path = join(work, name);
  writeFileSync(path, typeof key === 'string' ? key : JSON.stringify(key, null, 2));
  return path;
};

// A value of the tool's CSV: '' is a missing value (null in JavaScript).
const cell = (text) => (text === '' ? null : Number(text));

// Pseudo-random answers (a fixed linear congruential sequence), some missing.
function randomRows(nRows, nItems, lo, hi, missing = [null]) {
  let x = 12345;
  const next = () => { x = (x * 1103515245 + 12345) % 2147483648; return x / 2147483648; };
  return Array.from({ length: nRows }, () => Array.from({ length: nItems }, () => {
    const u = next();
    if (u < 0.06) return missing[Math.floor(next() * missing.length)];
    return lo + Math.floor(next() * (hi - lo + 1));
  }));
}

test('a key file loaded in JavaScript scores as bowlby score --key scores it: missing codes and min_answered included', async () => {
  const bowlby = await loadBowlby();
  const path = writeKey('my-scale.json', myScale);
  const key = bowlby.loadKey(JSON.stringify(myScale), { name: 'my-scale.json' });
  assert.equal(key.id, 'my-scale');
  assert.equal(key.items, 6);
  assert.deepEqual(key.scale, [1, 5]);
  assert.deepEqual(key.item_names, myScale.items);
  assert.deepEqual(key.scores, ['closeness', 'worry', 'balance']);
  assert.deepEqual(key.missing_codes, [-99]);
  assert.equal(key.min_answered, 0.5);
  assert.equal(key.score_details[0].label, 'Comfort with closeness');
  assert.deepEqual(key.methods, []);
  assert.deepEqual(bowlby.loadKey(myScale), key, 'the object gives what its text gives');
  const rows = [[1, 5, 2, 4, 4, 3], [2, -99, 3, 5, null, 1], [-99, -99, 4, -99, -99, 2], [5, 5, 5, 5, 5, 5], ...randomRows(40, 6, 1, 5, [null, -99])];
  const csv = writeCsv('my-scale-data.csv', myScale.items, rows);
  for (const [options, args] of [
    [{}, []],
    [{ minAnswered: 1 }, ['--min-answered', '1']],
    [{ missingCodes: [5] }, ['--missing-code', '5']],
  ]) {
    const expected = runCli(['score', '--key', path, csv, ...args]);
    rows.forEach((answers, r) => {
      for (const via of [key, myScale]) {
        const got = bowlby.score(via, answers, options);
        assert.equal(got.instrument, 'my-scale');
        for (const s of got.scores) {
          assert.equal(s.value, cell(expected[r][s.name]), `row ${r + 1} ${s.name} ${JSON.stringify(options)}`);
          assert.equal(s.answered, Number(expected[r][`${s.name}_n`]), `row ${r + 1} ${s.name}_n`);
        }
      }
    });
  }
  // Hand-checked: close2 reversed on 1-5 is 6 - x; worry is a sum; balance = closeness - worry / 2.
  const r = bowlby.score(key, [1, 5, 2, 4, 4, 3]).scores;
  assert.deepEqual(r.map((s) => s.value), [(1 + 1 + 2) / 3, 11, 4 / 3 - 5.5]);
});

test('the Node example scores a CSV with a key file as bowlby score --key does', async () => {
  const path = writeKey('my-scale.json', myScale);
  const rows = [[1, 5, 2, 4, 4, 3], [2, -99, 3, 5, null, 1], ...randomRows(20, 6, 1, 5, [null, -99])];
  const csv = writeCsv('my-scale-node.csv', myScale.items, rows);
  const node = execFileSync(process.execPath, [join(wasmDir, 'score-csv.mjs'), path, 'close1:worry3', csv], { encoding: 'utf8' });
  const tool = execFileSync(cli, ['score', '--key', path, csv], { encoding: 'utf8' });
  const parse = (t) => t.trim().split('\n').map((l) => l.split(','));
  const [a, b] = [parse(node), parse(tool)];
  assert.deepEqual(a[0], b[0]);
  assert.equal(a.length, rows.length + 1);
  for (let r = 1; r < b.length; ++r)
    b[r].forEach((text, c) => {
      if (text === '' || Number.isNaN(Number(text))) assert.equal(a[r][c], text, `row ${r}, ${b[0][c]}`);
      else assert.equal(Number(a[r][c]), Number(text), `row ${r}, ${b[0][c]}`);
    });
  const bad = writeKey('bad-node.json', { ...myScale, min_answered: 2 });
  assert.throws(() => execFileSync(process.execPath, [join(wasmDir, 'score-csv.mjs'), bad, 'close1:worry3', csv], { stdio: 'pipe' }),
                (e) => e.status === 1 && e.stderr.toString().startsWith(`${bad}: min_answered: a fraction from 0 to 1 is needed`));
});

test('a key file with anxiety and avoidance classifies as bowlby score --key --classify does', async () => {
  const bowlby = await loadBowlby();
  const exported = JSON.parse(execFileSync(cli, ['instruments', '--export', 'ecr-r'], { encoding: 'utf8' }));
  const mine = { ...exported, id: 'my-ecr-r', missing_codes: [0], min_answered: 0.8 };
  const path = writeKey('my-ecr-r.json', mine);
  const key = bowlby.loadKey(readFileSync(path, 'utf8'));
  assert.deepEqual(key.methods, ['midpoint']);
  // Four of anxiety's 18 items unanswered (one as the key's code 0): 14/18 < the key's 0.8.
  const fourMissing = cycle(36).map((x, i) => (i < 3 ? null : i === 3 ? 0 : x));
  assert.deepEqual(bowlby.score(key, fourMissing).scores.map((s) => s.status), ['insufficient', 'complete']);
  assert.deepEqual(bowlby.score(key, fourMissing, { minAnswered: 0.5 }).scores.map((s) => s.status), ['prorated', 'complete']);
  const rows = [cycle(36), Array(36).fill(6), fourMissing, ...randomRows(30, 36, 1, 7, [null, 0])];
  const csv = writeCsv('my-ecr-r-data.csv', Array.from({ length: 36 }, (_, i) => `i${i + 1}`), rows);
  const expected = runCli(['score', '--key', path, '--items', 'i1:i36', '--classify', 'midpoint', '--sem', '0.25:0.22', csv]);
  rows.forEach((answers, r) => {
    const s = bowlby.score(key, answers).scores;
    for (const one of s) assert.equal(one.value, cell(expected[r][one.name]), `row ${r + 1} ${one.name}`);
    if (s.some((one) => one.value === null)) return;
    const c = bowlby.classify(key, answers, { method: 'midpoint', sem: [0.25, 0.22] });
    assert.equal(c.category, expected[r].category, `row ${r + 1}`);
    assert.equal(c.probability, cell(expected[r].category_p), `row ${r + 1}`);
  });
  assert.equal(bowlby.rule(key, { method: 'midpoint' }).axes.y.score, 'anxiety');
  assert.throws(() => bowlby.classify(key, rows[0], { method: 'brennan1998' }), /brennan1998/);
});

test('a malformed key file throws the reader\'s message (its JSON path and the problem), as the tool says it', async () => {
  const bowlby = await loadBowlby();
  const bad = [
    { ...myScale, subscales: [{ ...myScale.subscales[0], reversed: [40] }, myScale.subscales[1]] },
    { ...myScale, subscales: [{ ...myScale.subscales[0], reverse: ['close2'] }, myScale.subscales[1]] },
    { ...myScale, subscales: [{ ...myScale.subscales[0], items: ['close1', 'Q2'] }] },
    { ...myScale, min_answered: 50 },
    { ...myScale, bowlby_key: 2 },
    '{\n  "bowlby_key": 1 "id": "x"\n}',
  ];
  const messages = [
    'subscales[0].reversed[0]: item 40 is not one of the key\'s 6 items',
    'subscales[0].reverse: unknown field',
    'subscales[0].items[1]: "Q2" is not one of the key\'s item names',
    'min_answered: a fraction from 0 to 1 is needed',
    'bowlby_key: version 2 is newer',
    'line 2, column 22: not valid JSON',
  ];
  bad.forEach((key, k) => {
    const path = writeKey('bad.json', key);
    const tool = cliError(['score', '--key', path, path]);
    assert.ok(tool.startsWith(`${path}: `), tool);
    const text = typeof key === 'string' ? key : JSON.stringify(key, null, 2);
    assert.throws(() => bowlby.loadKey(text, { name: 'bad.json' }), (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.message, `bad.json: ${tool.slice(path.length + 2)}`);
      assert.ok(e.message.includes(messages[k]), e.message);
      return true;
    });
  });
  assert.throws(() => bowlby.loadKey({ ...myScale, n_items: 7 }), { message: 'key file: n_items: says 7 but "items" names 6' });
  assert.throws(() => bowlby.score({ ...myScale, scale: { min: 5, max: 1 } }, [1, 2, 3, 4, 5, 1]), { message: 'key file: scale: min must be below max' });
  assert.throws(() => bowlby.score(42, [1]), /built-in id, a key from loadKey/);
  assert.throws(() => bowlby.score(bowlby.loadKey(myScale), [1, 2, 3]), { message: 'my-scale has 6 items, got 3 answers' });
  assert.throws(() => bowlby.score(bowlby.loadKey(myScale), [1, 2, 3, 4, 5, 6]), /item 6: value 6 is outside the response scale 1..5/);
});

// --- screening ------------------------------------------------------------------------------------

test('screening one respondent: hand-worked indices of a straight-liner and of an attentive ECR respondent', async () => {
  const bowlby = await loadBowlby();
  // All 7s on the ECR (1-7, 36 items) in 36 seconds. longstring = longstring_avg = 36 (one run),
  // irv = 0; evenodd undefined (two subscales). reverse_gap: the forward items' mean 7 less the
  // reversed items keyed, (1 + 7) - 7 = 1: 6 for both. seconds_per_item = 36 / 36 = 1.
  // Default flags (bowlby::default_flags): longstring >= 18, irv <= 6/8, |gap| >= 7/8 * 6 for
  // anxiety (one reversed item, 22) and >= 6/2 for avoidance (nine), seconds_per_item < 2.
  const straight = bowlby.screen('ecr', Array(36).fill(7), { seconds: 36 });
  assert.deepEqual(
    { longstring: straight.longstring, longstring_avg: straight.longstring_avg, irv: straight.irv, evenodd: straight.evenodd,
      reverse_gap_anxiety: straight.reverse_gap_anxiety, reverse_gap_avoidance: straight.reverse_gap_avoidance,
      seconds_per_item: straight.seconds_per_item },
    { longstring: 36, longstring_avg: 36, irv: 0, evenodd: null, reverse_gap_anxiety: 6, reverse_gap_avoidance: 6, seconds_per_item: 1 });
  assert.deepEqual(straight.flags, ['longstring', 'irv', 'reverse_gap_anxiety', 'reverse_gap_avoidance', 'seconds_per_item']);
  assert.equal(straight.n_flags, 5);
  assert.deepEqual(straight.columns, ['longstring', 'longstring_avg', 'irv', 'evenodd', 'reverse_gap_anxiety', 'reverse_gap_avoidance', 'seconds_per_item']);
  assert.deepEqual(straight.flags_in_force.map((f) => [f.name, f.rule, f.threshold]),
                   [['longstring', '>=', 18], ['irv', '<=', 0.75], ['evenodd', '>', -0.3], ['reverse_gap_anxiety', '|x| >=', 5.25],
                    ['reverse_gap_avoidance', '|x| >=', 3], ['seconds_per_item', '<', 2]]);
  // An attentive respondent: anxiety items (even) 6, avoidance items (odd) 2, each reversed
  // item (22; 3, 15, 19, 25, 27, 29, 31, 33, 35) answered the other way. Raw answers in item
  // order: runs 2 | 666 | 2 | 6 | 2 | 6 | 2 | 6 | 2 | 6 | 2 | 666 | 2 | 666 | 222 | 6 (items
  // 24-36, 13 of them): longstring 13, 16 runs, longstring_avg 36 / 16. Ten 2s and twenty-six 6s:
  // mean 176/36, sum of squares 976 - 176^2/36 = 1040/9, irv = sqrt(1040 / 9 / 35). Both gaps 0.
  const reversed = new Set([22, 3, 15, 19, 25, 27, 29, 31, 33, 35]);
  const attentive = Array.from({ length: 36 }, (_, i) => {
    const item = i + 1, anxiety = item % 2 === 0;
    return (anxiety !== reversed.has(item)) ? 6 : 2;
  });
  const a = bowlby.screen('ecr', attentive, { seconds: 360 });
  assert.equal(a.longstring, 13);
  assert.equal(a.longstring_avg, 36 / 16);
  assert.ok(Math.abs(a.irv - Math.sqrt(1040 / 9 / 35)) < 1e-12, a.irv);
  assert.equal(a.reverse_gap_anxiety, 0);
  assert.equal(a.reverse_gap_avoidance, 0);
  assert.equal(a.seconds_per_item, 10);
  assert.deepEqual(a.flags, []);
  assert.equal(a.n_flags, 0);
  // Without seconds there is no seconds_per_item and no flag on it; flags can be changed.
  const noTime = bowlby.screen('ecr', Array(36).fill(7), { flags: { longstring: 40, irv: 'off' } });
  assert.equal(noTime.seconds_per_item, undefined);
  assert.deepEqual(noTime.flags, ['reverse_gap_anxiety', 'reverse_gap_avoidance']);
  assert.throws(() => bowlby.screen('ecr', Array(36).fill(7), { flags: { nope: 1 } }), /no flag 'nope' for this instrument \(flags: longstring, irv/);
  assert.throws(() => bowlby.screen('ecr', Array(35).fill(7)), { message: 'ecr has 36 items, got 35 answers' });
  assert.throws(() => bowlby.screen('ecr', [9, ...Array(35).fill(7)]), /row 1, item 1: value 9 is outside the response scale 1..7/);
  // A row with no answer has every index undefined.
  assert.equal(bowlby.screen('ecr', Array(36).fill(null)).longstring, null);
});

test('screening rows in JavaScript gives what bowlby screen --one-pass gives for the same rows', async () => {
  const bowlby = await loadBowlby();
  const keyPath = writeKey('my-scale.json', myScale);
  const cases = [
    ['ecr', 36, 1, 7, [null], [], {}],
    ['rsq', 30, 1, 5, [null], [], {}], // three or more subscales: evenodd is defined
    ['ecr-s', 12, 1, 7, [null], ['--flag', 'longstring=4', '--flag', 'irv=off', '--flag', 'seconds_per_item=5'],
     { flags: { longstring: 4, irv: 'off', seconds_per_item: 5 } }],
    ['ecr', 36, 1, 5, [null, 0], ['--scale', '1:5', '--missing-code', '0'], { scale: [1, 5], missingCodes: [0] }],
    ['ecr-r', 36, 1, 7, [null], ['--presented-order', Array.from({ length: 36 }, (_, i) => `i${36 - i}`).join(',')], { presentedOrder: Array.from({ length: 36 }, (_, i) => 36 - i) }],
    [myScale, 6, 1, 5, [null, -99], [], {}],
  ];
  for (const [instrument, n, lo, hi, missing, args, options] of cases) {
    const rows = [Array(n).fill(hi), cycle(n, 1, 0, hi - lo + 1).map((x) => x + lo - 1), Array(n).fill(null), ...randomRows(40, n, lo, hi, missing)];
    rows[5][0] = null;
    const seconds = rows.map((_, r) => (r === 4 ? null : r * 7.5));
    const names = typeof instrument === 'string' ? Array.from({ length: n }, (_, i) => `i${i + 1}`) : instrument.items;
    const csv = writeCsv('screen.csv', names, rows, { secs: seconds });
    const which = typeof instrument === 'string' ? ['--instrument', instrument, '--items', `i1:i${n}`] : ['--key', keyPath];
    const expected = runCli(['screen', ...which, '--one-pass', '--duration', 'secs', ...args, csv]);
    const got = bowlby.screenRows(instrument, rows, { ...options, seconds });
    const label = typeof instrument === 'string' ? instrument : instrument.id;
    assert.deepEqual(['row', ...got.columns, 'flags', 'n_flags'], Object.keys(expected[0]), label);
    assert.equal(got.rows.length, expected.length);
    got.rows.forEach((row, r) => {
      for (const c of got.columns) {
        const want = cell(expected[r][c]);
        if (want === null || row[c] === null) assert.equal(row[c], want, `${label} row ${r + 1} ${c}`);
        else assert.ok(Math.abs(row[c] - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${label} row ${r + 1} ${c}: ${row[c]} vs ${want}`);
      }
      assert.equal(row.flags.join(';'), expected[r].flags, `${label} row ${r + 1} flags`);
      assert.equal(row.n_flags, Number(expected[r].n_flags));
    });
    // One row at a time gives the same.
    assert.deepEqual(bowlby.screen(instrument, rows[7], { ...options, seconds: seconds[7] }).flags, got.rows[7].flags);
    if (label === 'rsq') assert.ok(got.rows.some((row) => row.evenodd !== null));
  }
});

// --- a key file and the attention note in the study page ------------------------------------------

// The seconds the respondent spent on the item pages, from jsPsych's rt of each.
const itemSeconds = (page) =>
  page.evaluate(() => window.jsPsych.data.get().values().filter((t) => t.bowlby_part === 'items').reduce((a, t) => a + t.rt, 0) / 1000);

test('the study page runs a key file of the site\'s, and notes gently, as text, when the answers raised flags', async () => {
  const payload = '<img src=x onerror="window.pwned=1">';
  const crafted = { ...myScale, name: payload,
                    subscales: [{ ...myScale.subscales[0], label: payload, about: payload }, myScale.subscales[1]] };
  served.set('/keys/crafted.json', JSON.stringify(crafted));
  const path = writeKey('crafted.json', crafted);
  const page = await open('?key=/keys/crafted.json&results=show&per_page=6');
  const answers = [5, 5, 5, 5, 5, 5];
  await answerAll(page, answers, 6);
  await page.waitForSelector('body[data-finished="yes"]');
  const data = await scored(page, 'my-scale');
  const csv = writeCsv('crafted-data.csv', myScale.items, [answers], { secs: [await itemSeconds(page)] });
  const [scores] = runCli(['score', '--key', path, csv]);
  for (const name of ['closeness', 'worry', 'balance']) {
    assert.equal(data[name], Number(scores[name]), name);
    assert.equal(data[`${name}_n`], Number(scores[`${name}_n`]));
  }
  assert.equal(data.category, null);
  assert.match(data.category_reason, /my-scale has no anxiety and avoidance scores/);
  const [screened] = runCli(['screen', '--key', path, '--one-pass', '--duration', 'secs', csv]);
  for (const c of ['longstring', 'longstring_avg', 'irv', 'evenodd', 'reverse_gap_closeness', 'seconds_per_item'])
    assert.equal(data[c], cell(screened[c]), c);
  assert.equal(data.flags, screened.flags);
  assert.equal(data.n_flags, Number(screened.n_flags));
  // Six 5s: a run of 6 (>= 3), irv 0 (<= 4/8), closeness's gap 5 - (6 - 5) = 4 (>= 7/8 * 4).
  assert.ok(['longstring', 'irv', 'reverse_gap_closeness'].every((f) => data.flags.split(';').includes(f)), data.flags);
  const note = await page.textContent('#attention');
  assert.match(note, /^A note on your answers: some of them follow a pattern/);
  assert.equal(await page.getAttribute('#attention', 'data-flags'), data.flags);
  assert.ok((await page.textContent('#results')).includes(payload), 'the key\'s label is shown as text');
  assert.equal(await page.locator('img').count(), 0);
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.pwned), undefined);
  await page.screenshot({ path: join(output, 'attention-note.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await close(page);
});

test('no note for answers that raise no flag, nor with attention=hide; the redirect waits for a shown note', async () => {
  // The page takes 120 s on the page's clock (3.3 s an item), so that seconds_per_item raises no flag.
  const reversed = new Set([3, 15, 19, 25, 27, 29, 31, 33, 35, 22]);
  const attentive = Array.from({ length: 36 }, (_, i) => ((i % 2 === 1) !== reversed.has(i + 1) ? 6 : 2));
  for (const [query, answers, noted] of [
    ['?instrument=ecr&per_page=36', attentive, false],
    ['?instrument=ecr&per_page=36&attention=hide', Array(36).fill(4), false],
    [`?instrument=ecr&per_page=36&redirect=${encodeURIComponent(`${base}/done?cc=2`)}`, Array(36).fill(4), true],
  ]) {
    const page = await open(null);
    await page.clock.install();
    await page.goto(`${base}/index.html${query}`);
    await page.waitForSelector('input[name="Q0"]');
    for (let i = 0; i < 36; ++i) await page.check(`input[type="radio"][name="Q${i}"][value="${answers[i] - 1}"]`);
    await page.clock.fastForward(120000);
    await page.click('#jspsych-survey-likert-next');
    await page.waitForSelector('body[data-finished="yes"]');
    const data = await scored(page, 'ecr');
    assert.ok(data.seconds_per_item >= 120 / 36, `${query}: ${data.seconds_per_item}`);
    assert.equal(data.n_flags > 0, answers !== attentive, `${query}: ${data.flags} ${data.seconds_per_item}`);
    assert.equal(await page.locator('#attention').count(), noted ? 1 : 0, query);
    if (noted) assert.equal(await page.getAttribute('#continue', 'href'), `${base}/done?cc=2`);
    assert.deepEqual(page.errors, []);
    await close(page);
  }
});

test('a bad key link stops with the reader\'s message before the first item', async () => {
  served.set('/keys/bad.json', JSON.stringify({ ...myScale, subscales: [{ ...myScale.subscales[0], reversed: [40] }] }));
  served.set('/keys/not-json.json', '{"bowlby_key": 1,');
  served.set('/keys/decimal.json', JSON.stringify({ ...myScale, scale: { min: 0.5, max: 5, integral: false } }));
  const cases = [
    ['?key=/keys/bad.json', "Parameter 'key': /keys/bad.json: subscales[0].reversed[0]: item 40 is not one of the key's 6 items"],
    ['?key=/keys/not-json.json', "Parameter 'key': /keys/not-json.json: line 1, column"],
    ['?key=/keys/missing.json', "Parameter 'key': the key file cannot be loaded from /keys/missing.json (404)"],
    ['?key=/keys/decimal.json', "Parameter 'key': my-scale is answered on 0.5-5"],
    [`?key=${encodeURIComponent('https://attacker.example/k.json')}`, "Parameter 'key': the file or address must come from this site"],
    ['?key=/keys/bad.json&instrument=ecr', "Parameter 'key': give instrument or key, not both"],
  ];
  const page = await open(null);
  for (const [query, message] of cases) {
    await page.goto(`${base}/index.html${query}`);
    await page.waitForSelector('#survey .error');
    const text = await page.textContent('#survey .error');
    assert.ok(text.startsWith(message), `${query}: ${text}`);
    assert.equal(await page.locator('.jspsych-survey-likert-opts').count(), 0, query);
  }
  assert.deepEqual(page.errors, []);
  await close(page);
});
