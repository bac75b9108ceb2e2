// A jsPsych survey that administers a bowlby instrument and scores it in the browser.
//
// URL parameters:
//   instrument=ID        the instrument (default ecr); 'bowlby instruments' lists them
//   items=URL            a JSON file of item texts (see README, "Embedding in a survey"); without
//                        it the page shows neutral placeholders ("Item 1 of 36")
//   method=RULE          classification rule: midpoint (default), brennan1998, aas, rq
//   sem=ANX:AVO          standard errors of measurement for the category's firmness (from
//                        'bowlby reliability' on an earlier sample); without them no firmness
//   per_page=N           items per page (default 12)
import { loadBowlby } from './bowlby/bowlby.mjs';

const params = new URLSearchParams(window.location.search);
const results = document.getElementById('results');

// Text from the URL, an items file or the library goes into the page as text, never as HTML.
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

function fail(message) {
  const p = document.createElement('p');
  p.className = 'error';
  p.textContent = message;
  document.getElementById('survey').replaceChildren(p);
  throw new Error(message);
}

const bowlby = await loadBowlby();
const id = params.get('instrument') ?? 'ecr';
const instrument = bowlby.instruments().find((i) => i.id === id);
if (!instrument) fail(`Unknown instrument '${id}'.`);
const method = params.get('method') ?? (id === 'rq' ? 'rq' : id === 'aas' ? 'aas' : 'midpoint');
const sem = params.get('sem') ? params.get('sem').split(':').map(Number) : undefined;
const perPage = Number(params.get('per_page') ?? 12);

// Item texts are the operator's: the project ships no item wording.
let texts = {};
if (params.get('items')) {
  // Only a file on this page's own origin: the instructions in it are inserted as HTML.
  const url = new URL(params.get('items'), window.location.href);
  if (url.origin !== window.location.origin) fail(`items: the item texts must come from this site (${window.location.origin}), not ${url.origin}.`);
  const response = await fetch(url);
  if (!response.ok) fail(`Cannot load the item texts from ${params.get('items')}.`);
  texts = await response.json();
}
const [lo, hi] = instrument.scale;
const n = instrument.items;
const labels = (texts.labels ?? Array.from({ length: hi - lo + 1 }, (_, k) => String(lo + k))).map(escapeHtml);
if (labels.length !== hi - lo + 1) fail(`The item texts give ${labels.length} labels for a ${lo}-${hi} scale.`);
const prompt = (i) => escapeHtml(texts.items?.[i] ?? `Item ${i + 1} of ${n}`);

const jsPsych = initJsPsych({ display_element: 'survey', on_finish: finish });
const timeline = [];
for (let first = 0; first < n; first += perPage) {
  const questions = [];
  for (let i = first; i < Math.min(n, first + perPage); ++i) questions.push({ prompt: prompt(i), labels, required: true, name: `item${i + 1}` });
  timeline.push({ type: jsPsychSurveyLikert, questions, scale_width: 600, preamble: first === 0 ? (texts.instructions ?? '') : '',
                  data: { bowlby_page: first } });
}

function answersFrom(data) {
  const answers = new Array(n).fill(null);
  for (const trial of data) {
    if (trial.bowlby_page === undefined) continue;
    for (const [name, index] of Object.entries(trial.response)) answers[Number(name.slice(4)) - 1] = lo + Number(index);
  }
  return answers;
}

function plot(anxiety, avoidance, category) {
  const size = 260, pad = 30, span = hi - lo;
  const x = (v) => pad + ((v - lo) / span) * (size - 2 * pad);
  const y = (v) => size - pad - ((v - lo) / span) * (size - 2 * pad);
  const mid = (lo + hi) / 2;
  return `<svg id="plane" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}" font-size="11">
    <rect x="${pad}" y="${pad}" width="${size - 2 * pad}" height="${size - 2 * pad}" fill="none" stroke="#333"/>
    <line x1="${x(mid)}" y1="${pad}" x2="${x(mid)}" y2="${size - pad}" stroke="#999" stroke-dasharray="4 3"/>
    <line x1="${pad}" y1="${y(mid)}" x2="${size - pad}" y2="${y(mid)}" stroke="#999" stroke-dasharray="4 3"/>
    <text x="${x(lo + span / 4)}" y="${y(lo + span / 4)}" text-anchor="middle" fill="#4daf4a">secure</text>
    <text x="${x(lo + span / 4)}" y="${y(hi - span / 4)}" text-anchor="middle" fill="#377eb8">preoccupied</text>
    <text x="${x(hi - span / 4)}" y="${y(lo + span / 4)}" text-anchor="middle" fill="#ff7f00">dismissing</text>
    <text x="${x(hi - span / 4)}" y="${y(hi - span / 4)}" text-anchor="middle" fill="#e41a1c">fearful</text>
    <circle id="you" cx="${x(avoidance)}" cy="${y(anxiety)}" r="6" fill="black"><title>${escapeHtml(category)}</title></circle>
    <text x="${size / 2}" y="${size - 6}" text-anchor="middle">avoidance</text>
    <text transform="translate(10 ${size / 2}) rotate(-90)" text-anchor="middle">anxiety</text>
  </svg>`;
}

function finish() {
  const answers = answersFrom(jsPsych.data.get().values());
  let html = '<h2>Your scores</h2><table><tr><th>score</th><th>value</th><th>items answered</th></tr>';
  try {
    const scored = bowlby.score(id, answers);
    for (const s of scored.scores) {
      const shown = s.value === null ? '–' : s.value.toFixed(4);
      html += `<tr data-score="${escapeHtml(s.name)}" data-value="${s.value ?? ''}"><td>${escapeHtml(s.name)}</td><td class="value">${shown}</td><td>${s.answered}</td></tr>`;
    }
    html += '</table>';
    const c = bowlby.classify(id, answers, { method, sem });
    const firmness = c.probability === null ? 'not available (no standard errors given)' : `${(100 * c.probability).toFixed(1)}%`;
    html += `<p id="category" data-category="${escapeHtml(c.category)}" data-probability="${c.probability ?? ''}">Category (${escapeHtml(method)}): ` +
            `<strong>${escapeHtml(c.category)}</strong>${c.reason ? ` (${escapeHtml(c.reason)})` : ''}; firmness: ${firmness}</p>`;
    if (c.anxiety !== null && c.avoidance !== null) html += plot(c.anxiety, c.avoidance, c.category);
  } catch (e) {
    html += `</table><p class="error" id="error">${escapeHtml(e.message)}</p>`;
  }
  results.innerHTML = html;
  results.hidden = false;
  results.dataset.answers = JSON.stringify(answers);
}

jsPsych.run(timeline);
