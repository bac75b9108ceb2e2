// A jsPsych study page built on bowlby's timeline (bowlby-jspsych.mjs): it administers an
// instrument chosen by the link (a built-in one, or a key file of the site's), then saves the
// data (download, POST), shows the results if asked, notes gently when the answers raised a
// careless-responding flag, and sends the respondent on. docs/study.md says how to run a study
// with it.
//
// URL parameters (each checked before the first question; docs/web.md has the table):
//   instrument or key=URL (same origin), items, method, sem=ANX:AVO, per_page, id (or
//   PROLIFIC_PID), download=csv|json, post=URL (same origin), redirect=URL (http or https),
//   results=hide|show, attention=show|hide.
// The items file may add a consent page (`consent`, HTML) and a debrief (`debrief`, text).
import { renderResults } from './results.mjs';

const survey = document.getElementById('survey');
const params = new URLSearchParams(window.location.search);

// A message in place of the survey; text only, never HTML.
function show(message, className = 'error') {
  const p = document.createElement('p');
  p.className = className;
  p.setAttribute('role', 'alert');
  p.textContent = message;
  survey.replaceChildren(p);
}

class ParameterError extends Error {
  constructor(parameter, problem, allowed) {
    super(`Parameter '${parameter}': ${problem}.${allowed ? ` Allowed: ${allowed}.` : ''}`);
  }
}

// URL names of the timeline's options, for its messages.
const parameterOf = { instrument: 'instrument', method: 'method', sem: 'sem', per_page: 'per_page', labels: 'items' };

const oneOf = (name, allowed, fallback) => {
  const value = params.get(name) ?? fallback;
  if (!allowed.includes(value)) throw new ParameterError(name, `'${value}' is not allowed`, allowed.join(', '));
  return value;
};

// A participant id: letters, digits, '-', '_' and '.', as Prolific and SONA give them.
function participant() {
  const out = {};
  for (const name of ['id', 'PROLIFIC_PID', 'STUDY_ID', 'SESSION_ID']) {
    const value = params.get(name);
    if (value === null) continue;
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(value))
      throw new ParameterError(name, `'${value}' is not an id`, 'up to 128 letters, digits, -, _ and .');
    out[name === 'id' ? 'participant_id' : name.toLowerCase()] = value;
  }
  if (out.participant_id === undefined && out.prolific_pid !== undefined) out.participant_id = out.prolific_pid;
  return out;
}

function sameOrigin(name) {
  const value = params.get(name);
  if (value === null) return null;
  const url = new URL(value, window.location.href);
  if (url.origin !== window.location.origin)
    throw new ParameterError(name, `the file or address must come from this site (${window.location.origin}), not ${url.origin}`);
  return url;
}

function redirectUrl() {
  const value = params.get('redirect');
  if (value === null) return null;
  let url;
  try { url = new URL(value); } catch { throw new ParameterError('redirect', `'${value}' is not a full address`, 'an http or https address'); }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ParameterError('redirect', `the scheme ${url.protocol} is not allowed`, 'an http or https address');
  return url;
}

// Every parameter but those the timeline checks against the instrument.
function readParameters() {
  const sem = params.get('sem');
  let semValue;
  if (sem !== null) {
    semValue = sem.split(':').map((x) => (/^\s*\d*\.?\d+(e-?\d+)?\s*$/i.test(x) ? Number(x) : NaN));
    if (semValue.length !== 2 || !semValue.every((x) => x > 0))
      throw new ParameterError('sem', `'${sem}' is not two positive numbers`, 'ANX:AVO, e.g. 0.25:0.22');
  }
  const perPage = params.get('per_page');
  if (perPage !== null && !/^[0-9]+$/.test(perPage)) throw new ParameterError('per_page', `'${perPage}' is not a whole number`, 'a whole number from 1 to the number of items');
  const key = sameOrigin('key');
  if (key && params.get('instrument') !== null)
    throw new ParameterError('key', 'give instrument or key, not both', 'a built-in instrument, or a key file on this site');
  return {
    instrument: params.get('instrument') ?? 'ecr',
    key,
    method: params.get('method') ?? undefined,
    sem: semValue,
    perPage: perPage === null ? undefined : Number(perPage),
    download: oneOf('download', ['none', 'csv', 'json'], 'none'),
    results: oneOf('results', ['hide', 'show'], 'hide'),
    attention: oneOf('attention', ['show', 'hide'], 'show'),
    post: sameOrigin('post'),
    items: sameOrigin('items'),
    redirect: redirectUrl(),
    participant: participant(),
  };
}

async function loadTexts(url) {
  if (!url) return {};
  const response = await fetch(url);
  if (!response.ok) throw new ParameterError('items', `the item texts cannot be loaded from ${url.pathname} (${response.status})`);
  try {
    return await response.json();
  } catch {
    throw new ParameterError('items', `${url.pathname} is not a JSON file`);
  }
}

// The questionnaire of a key file (docs/key-files.md) on this site; its problems in the
// reader's words (the file, the JSON path, what is wrong).
async function loadKey(url, bowlby) {
  const response = await fetch(url);
  if (!response.ok) throw new ParameterError('key', `the key file cannot be loaded from ${url.pathname} (${response.status})`);
  try {
    return bowlby.loadKey(await response.text(), { name: url.pathname });
  } catch (e) {
    throw new ParameterError('key', e.message);
  }
}

async function loadModule() {
  try {
    const [{ loadBowlby }, timeline] = await Promise.all([import('./bowlby/bowlby.mjs'), import('./bowlby/bowlby-jspsych.mjs')]);
    return { bowlby: await loadBowlby(), ...timeline };
  } catch (e) {
    throw new Error(`The questionnaire could not be loaded (${e.message}). Please reload the page; if it stays, tell the researcher.`);
  }
}

// --- saving ----------------------------------------------------------------------------------

// Data waiting for a successful POST, one localStorage entry per finished run.
const pendingPrefix = (post) => `bowlby-pending:${post.pathname}:`;

// POSTs every run's data kept for this address; each leaves localStorage only once the server
// took it. True when none is left.
async function postPending(post) {
  const keys = Object.keys(window.localStorage).filter((k) => k.startsWith(pendingPrefix(post))).sort();
  let all = true;
  for (const key of keys) {
    try {
      const response = await fetch(post, { method: 'POST', headers: { 'content-type': 'application/json' },
                                           body: window.localStorage.getItem(key) });
      if (response.ok) window.localStorage.removeItem(key);
      else all = false;
    } catch {
      all = false;
    }
  }
  return all;
}

function button(text, onClick, id) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'jspsych-btn';
  b.id = id;
  b.textContent = text;
  b.addEventListener('click', onClick);
  return b;
}

// Saves, then resolves; on a failed POST shows a message with a retry button until one works.
function save(settings, jsPsych, status) {
  if (!settings.post) return Promise.resolve();
  window.localStorage.setItem(`${pendingPrefix(settings.post)}${Date.now()}`, jsPsych.data.get().json());
  return new Promise((resolve) => {
    const attempt = async () => {
      status.textContent = 'Saving your answers…';
      status.className = 'status';
      if (await postPending(settings.post)) {
        status.textContent = 'Your answers are saved.';
        status.dataset.saved = 'yes';
        resolve();
        return;
      }
      status.textContent = 'Your answers could not be sent to the study\'s server. They are kept in this browser; please try again.';
      status.className = 'error';
      status.append(' ', button('Try again', attempt, 'retry'));
    };
    attempt();
  });
}

// A gentle note for a respondent whose answers raised a careless-responding flag (a long run of
// one answer, little variation, reversed items answered like the others, very fast answers).
// The words are fixed; the flags' names go only into a data attribute, never into HTML.
function attentionNote(data) {
  const p = document.createElement('p');
  p.id = 'attention';
  p.className = 'note';
  p.setAttribute('role', 'note');
  p.dataset.flags = data.flags;
  p.textContent = 'A note on your answers: some of them follow a pattern that often comes from answering quickly, ' +
    'such as the same answer to many statements in a row. Nothing needs to be done now. If you have time for ' +
    'questionnaires like this one in future, reading each statement before answering helps the research most.';
  return p;
}

async function finish(settings, loaded, jsPsych) {
  const end = document.createElement('div');
  end.id = 'end';
  const status = document.createElement('p');
  status.id = 'save-status';
  status.setAttribute('role', 'status');
  end.append(status);
  survey.replaceChildren(end);
  const data = jsPsych.data.get().filter({ bowlby_instrument: settings.options.instrument.id }).values().pop();
  const attention = settings.attention === 'show' && data?.n_flags > 0;
  await save(settings, jsPsych, status);
  if (settings.download !== 'none') {
    const name = `bowlby-${settings.participant.participant_id ?? 'data'}.${settings.download}`;
    end.append(button(`Download the data (${settings.download.toUpperCase()})`,
                      () => jsPsych.data.get().localSave(settings.download, name), 'download'));
  }
  if (attention) end.append(attentionNote(data));
  if (settings.results === 'show') renderResults(document.getElementById('results'), loaded.bowlby, settings.options, data);
  if (settings.texts.debrief) {
    const debrief = document.createElement('p');
    debrief.id = 'debrief';
    debrief.textContent = settings.texts.debrief;
    end.append(debrief);
  }
  if (settings.redirect) {
    // Straight on when there is nothing left to see or do here; otherwise a link.
    if (settings.results === 'show' || settings.download !== 'none' || settings.texts.debrief || attention) {
      const a = document.createElement('a');
      a.id = 'continue';
      a.href = settings.redirect.href;
      a.textContent = 'Continue';
      a.className = 'jspsych-btn';
      end.append(a);
    } else {
      window.location.assign(settings.redirect.href);
    }
  } else if (settings.results === 'hide') {
    const p = document.createElement('p');
    p.textContent = 'Thank you: you have finished the questionnaire.';
    end.append(p);
  }
  document.body.dataset.finished = 'yes';
}

async function main() {
  const settings = readParameters();
  const loaded = await loadModule();
  if (settings.key) settings.instrument = await loadKey(settings.key, loaded.bowlby);
  settings.texts = await loadTexts(settings.items);
  try {
    settings.options = loaded.checkOptions(loaded.bowlby, { ...settings, texts: settings.texts });
  } catch (e) {
    if (!(e instanceof loaded.BowlbyOptionError)) throw e;
    const parameter = e.option === 'instrument' && settings.key ? 'key' : parameterOf[e.option] ?? e.option;
    throw new ParameterError(parameter, e.problem, e.allowed);
  }
  document.getElementById('loading')?.remove(); // jsPsych adds to its element, it does not clear it
  // Data kept from an earlier visit whose POST failed go first.
  if (settings.post) await postPending(settings.post);
  const jsPsych = initJsPsych({ display_element: 'survey', on_finish: () => finish(settings, loaded, jsPsych) });
  jsPsych.data.addProperties(settings.participant);
  window.jsPsych = jsPsych; // jsPsych's usual global instance
  const timeline = [];
  // The items file's consent text (the researcher's HTML, as its instructions): agreeing goes on.
  if (settings.texts.consent)
    timeline.push({ type: jsPsychSurveyLikert, questions: [], preamble: settings.texts.consent, button_label: 'I agree to take part',
                    data: { consent: 'agreed' } });
  timeline.push(loaded.bowlbyTimeline(jsPsych, loaded.bowlby, { ...settings, texts: settings.texts }));
  await jsPsych.run(timeline);
}

main().catch((e) => show(e.message));
