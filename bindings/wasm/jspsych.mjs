// bowlby in a jsPsych experiment: a timeline factory that administers an instrument with
// jsPsych's survey-likert plugin and, when its last trial ends, scores the answers with the
// WebAssembly module and writes the results into that trial's data.
//
//   import { loadBowlby } from './bowlby.mjs';
//   import { bowlbyTimeline } from './bowlby-jspsych.mjs';
//   const bowlby = await loadBowlby();
//   const jsPsych = initJsPsych({ on_finish: yourOwnFinish });        // untouched by bowlby
//   jsPsych.run([welcome, bowlbyTimeline(jsPsych, bowlby, { instrument: 'ecr', sem: [0.25, 0.22] }), thanks]);
//   // or a questionnaire of your own: { instrument: bowlby.loadKey(keyFileText) }
//
// A timeline factory rather than a plugin: a questionnaire is several pages of an existing,
// tested plugin (survey-likert, with its accessibility and its data format), and jsPsych's
// own reusable timelines (jspsych-timelines) are factories called with the jsPsych instance.
// A plugin would redraw what survey-likert already draws.
//
// The data of the timeline's last trial gain (see docs/web.md):
//   bowlby_instrument, bowlby_version, answers {item name: answer on the instrument's scale},
//   <score>, <score>_n, <score>_status for every score (full precision, null when missing),
//   category, category_p (the firmness), category_reason, boundary_distance,
//   rule {method, source, sem, forced_choice} (category and rule null without a method),
//   the screening indices that need no sample (longstring, longstring_avg, irv, evenodd,
//   reverse_gap_<subscale>, seconds_per_item from the time on the item pages), flags (the names
//   of the flags raised, separated by ';') and n_flags, as `bowlby screen --one-pass` writes
//   them (unless screen: false; the RQ only with screen: true),
//   bowlby_error (the library's message when scoring failed; otherwise absent).
// Every trial of the timeline carries bowlby_part: 'items', 'forced_choice'.
//
// Nothing here scores, keys, classifies or screens: bowlby.score, bowlby.classify and
// bowlby.screen (the C++ library) do; this file only turns jsPsych responses into answers and
// answers into data.

/// An option the timeline cannot run with: `option` names it, `allowed` says what it may be.
export class BowlbyOptionError extends Error {
  constructor(option, problem, allowed) {
    super(`${option}: ${problem}${allowed ? ` (allowed: ${allowed})` : ''}`);
    this.option = option;
    this.problem = problem;
    this.allowed = allowed;
  }
}

const isPositive = (x) => typeof x === 'number' && Number.isFinite(x) && x > 0;

/// The instrument option: a built-in id, or a key from bowlby.loadKey (a key file). Returns its
/// record (what instruments() says of it) and what bowlby's functions take for it.
function findInstrument(bowlby, instrument) {
  if (instrument !== null && typeof instrument === 'object') {
    let record;
    try { record = bowlby.describe(instrument); } catch (e) { throw new BowlbyOptionError('instrument', e.message); }
    const [lo, hi] = record.scale;
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi - lo > 20)
      throw new BowlbyOptionError('instrument', `${record.id} is answered on ${lo}-${hi}: a rating page needs whole-number ends, at most 21 points`);
    return { record, argument: record };
  }
  const all = bowlby.instruments();
  const record = all.find((i) => i.id === instrument);
  if (!record) throw new BowlbyOptionError('instrument', `unknown instrument '${instrument}'`, all.map((i) => i.id).join(', '));
  return { record, argument: record.id };
}

/// Checks the options before any question is asked; returns them completed with defaults
/// (the instrument's record, what bowlby's functions take for it as `argument`, the method,
/// the rule) or throws BowlbyOptionError.
export function checkOptions(bowlby, options = {}) {
  const { record: instrument, argument } = findInstrument(bowlby, options.instrument);
  let method = options.method ?? instrument.methods[0] ?? null;
  if (method !== null && !instrument.methods.includes(method)) {
    const allowed = instrument.methods.length ? instrument.methods.join(', ') : 'none for this instrument';
    throw new BowlbyOptionError('method', `'${method}' cannot classify one respondent of ${instrument.id}`, allowed);
  }
  // Why there is no category, in the library's words (the RSQ has no anxiety and avoidance).
  let noCategory = null;
  if (method === null) {
    try { bowlby.rule(argument, { method: 'midpoint' }); } catch (e) { noCategory = e.message; }
  }
  const sem = options.sem;
  if (sem !== undefined && !(Array.isArray(sem) && sem.length === 2 && sem.every(isPositive)))
    throw new BowlbyOptionError('sem', 'two positive numbers are needed, for anxiety and for avoidance', 'ANX:AVO, e.g. 0.25:0.22');
  const rule = method === null ? null : bowlby.rule(argument, { method, sem });
  if (rule && sem !== undefined && !rule.uses_sem)
    throw new BowlbyOptionError('sem', `the ${method} rule has no firmness, so it takes no standard errors`, 'none with this method');
  const perPage = options.perPage ?? Math.min(12, instrument.items);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > instrument.items)
    throw new BowlbyOptionError('per_page', `${perPage} items per page: a whole number from 1 to ${instrument.items} is needed`, `1-${instrument.items}`);
  const [lo, hi] = instrument.scale;
  const texts = options.texts ?? {};
  const labels = texts.labels ?? Array.from({ length: hi - lo + 1 }, (_, k) => String(lo + k));
  if (!Array.isArray(labels) || labels.length !== hi - lo + 1)
    throw new BowlbyOptionError('labels', `${instrument.id} is answered on ${lo}-${hi}: one label per point is needed`, `${hi - lo + 1} labels`);
  const forcedChoice = options.forcedChoice ?? method === 'rq';
  // The RQ's four ratings are of four different descriptions: equal or close ratings are no
  // sign of careless answering, so it is not screened unless asked.
  const screen = options.screen ?? instrument.id !== 'rq';
  if (typeof screen !== 'boolean') throw new BowlbyOptionError('screen', `${screen} is not true or false`, 'true, false');
  return { ...options, instrument, argument, method, rule, noCategory, sem, perPage, texts, labels, forcedChoice, screen };
}

// Text from an items file or a URL goes into the plugin's HTML as text.
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);

const itemName = (instrument, i) => instrument.item_names[i] ?? `Q${i + 1}`;

// Names each Likert group after its statement, for screen readers (the plugin's statement is a
// label that labels no input).
function labelGroups(displayElement) {
  const statements = displayElement.querySelectorAll('.jspsych-survey-likert-statement');
  displayElement.querySelectorAll('.jspsych-survey-likert-opts').forEach((ul, k) => {
    const id = `bowlby-statement-${k}`;
    if (statements[k]) statements[k].id = id;
    ul.setAttribute('role', 'radiogroup');
    ul.setAttribute('aria-labelledby', id);
  });
}

/// The answers of this timeline's trials, on the instrument's scale (null where unanswered),
/// the RQ forced choice (a category name, or undefined) and the seconds spent on the item
/// pages (jsPsych's rt of each).
function collectAnswers(jsPsych, o, part) {
  const n = o.instrument.items, lo = o.instrument.scale[0];
  const answers = new Array(n).fill(null);
  let forced;
  let ms = 0;
  for (const trial of jsPsych.data.get().values()) {
    if (trial.bowlby_timeline !== part) continue;
    if (trial.bowlby_part === 'items') ms += typeof trial.rt === 'number' ? trial.rt : NaN;
    for (const [name, position] of Object.entries(trial.response ?? {})) {
      if (position === '' || position === null || position === undefined) continue;
      if (trial.bowlby_part === 'forced_choice') forced = o.instrument.item_names[Number(position)];
      else answers[Number(name.slice(5)) - 1] = lo + Number(position);
    }
  }
  return { answers, forced, seconds: ms / 1000 };
}

/// What the last trial's data gain: answers by item name, every score, the category, and (with
/// o.screen) the screening indices and flags; `seconds` is the time on the item pages (NaN or
/// undefined: unknown).
export function scoreData(bowlby, o, answers, forced, seconds) {
  const data = { bowlby_instrument: o.instrument.id, bowlby_version: bowlby.version, answers: {} };
  answers.forEach((a, i) => { data.answers[itemName(o.instrument, i)] = a; });
  data.category = data.category_p = data.category_reason = data.boundary_distance = data.rule = null;
  try {
    for (const s of bowlby.score(o.argument, answers).scores) {
      data[s.name] = s.value;
      data[`${s.name}_n`] = s.answered;
      data[`${s.name}_status`] = s.status;
    }
    if (o.method !== null) {
      const c = bowlby.classify(o.argument, answers, { method: o.method, sem: o.sem, forcedChoice: forced });
      data.category = c.category;
      data.category_p = c.probability;
      data.category_reason = c.reason || null;
      data.boundary_distance = c.boundary_distance;
      data.rule = { method: o.method, source: o.rule.source, sem: o.sem ?? null, forced_choice: forced ?? null };
    } else {
      data.category_reason = o.noCategory;
    }
    if (o.screen) {
      const known = typeof seconds === 'number' && Number.isFinite(seconds);
      const s = bowlby.screen(o.argument, answers, known ? { seconds } : {});
      for (const c of s.columns) data[c] = s[c];
      data.flags = s.flags.join(';');
      data.n_flags = s.n_flags;
    }
  } catch (e) {
    data.bowlby_error = e.message;
  }
  return data;
}

let timelines = 0;

/// The timeline: the item pages (and, for the RQ, the optional forced choice); the last trial's
/// on_finish scores. options: instrument (an id, or a key from bowlby.loadKey), method
/// (default: the instrument's first one-respondent method, none for the RSQ), sem [anx, avo],
/// perPage (12, or all items when fewer), texts {instructions, labels, items, forced_choice},
/// forcedChoice (default: true for the RQ), screen (the screening indices in the data; default
/// true, false for the RQ), plugin (default the global jsPsychSurveyLikert), buttonLabel.
export function bowlbyTimeline(jsPsych, bowlby, options) {
  const o = checkOptions(bowlby, options);
  const plugin = options.plugin ?? globalThis.jsPsychSurveyLikert;
  const part = `bowlby-${++timelines}`;
  const n = o.instrument.items;
  const labels = o.labels.map(escapeHtml);
  const prompt = (i) => escapeHtml(o.texts.items?.[i] ?? `Item ${i + 1} of ${n}`);
  const pages = [];
  for (let first = 0; first < n; first += o.perPage) {
    const questions = [];
    for (let i = first; i < Math.min(n, first + o.perPage); ++i)
      questions.push({ prompt: prompt(i), labels, required: true, name: `item_${i + 1}` });
    pages.push({ type: plugin, questions, preamble: first === 0 ? (o.texts.instructions ?? '') : '',
                 button_label: options.buttonLabel ?? 'Continue', on_load: () => labelGroups(jsPsych.getDisplayElement()),
                 data: { bowlby_timeline: part, bowlby_part: 'items' } });
  }
  if (o.forcedChoice && o.method === 'rq') {
    const choices = o.instrument.item_names.map((_, k) => escapeHtml(o.texts.forced_choice?.[k] ?? `Item ${k + 1}`));
    pages.push({ type: plugin, button_label: options.buttonLabel ?? 'Continue',
                 questions: [{ prompt: 'Which one of the descriptions fits you best? (You may leave this out.)', labels: choices,
                               required: false, name: 'forced_choice' }],
                 on_load: () => labelGroups(jsPsych.getDisplayElement()),
                 data: { bowlby_timeline: part, bowlby_part: 'forced_choice' } });
  }
  const last = pages[pages.length - 1];
  last.on_finish = (data) => {
    // This trial's own data are already in jsPsych's store.
    const { answers, forced, seconds } = collectAnswers(jsPsych, o, part);
    Object.assign(data, scoreData(bowlby, o, answers, forced, seconds));
  };
  return { timeline: pages };
}
