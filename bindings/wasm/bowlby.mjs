// bowlby in JavaScript: the WebAssembly build of the library, for browsers and Node.
//
//   import { loadBowlby } from './bowlby.mjs';
//   const bowlby = await loadBowlby();
//   bowlby.instruments();                                   // [{id, name, items, scale, scores, ...}]
//   bowlby.score('ecr', answers);                           // {scores: [{name, value, answered, status}]}
//   bowlby.score('ecr', answers, { scale: [1, 5] });        // the ECR given on 1-5
//   bowlby.classify('ecr', answers, { method: 'midpoint', sem: [0.25, 0.22] });
//   bowlby.rule('ecr', { method: 'brennan1998' });          // {source, axes, regions, firmness, ...}
//   const key = bowlby.loadKey(keyFileText);                // a key file (docs/key-files.md)
//   bowlby.score(key, answers);                             // a key wherever an id goes
//   bowlby.screen('ecr', answers, { seconds: 140 });        // {longstring, irv, ..., flags, n_flags}
//
// Answers are numbers; null, undefined, '' and NaN are missing. Errors (an unknown instrument,
// the wrong number of answers, an answer outside the scale, a malformed key file) are thrown as
// Error with the library's message.

// The Emscripten module beside this file: required in Node, loaded as a classic script (which
// defines the global createBowlbyModule) in a browser.
async function moduleFactory() {
  if (typeof process === 'object' && process.versions && process.versions.node) {
    const { createRequire } = await import('node:module');
    return createRequire(import.meta.url)('./bowlby-wasm.cjs');
  }
  if (typeof globalThis.createBowlbyModule !== 'function') {
    await new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = new URL('./bowlby-wasm.cjs', import.meta.url).href;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`cannot load ${script.src}`));
      document.head.append(script);
    });
  }
  return globalThis.createBowlbyModule;
}

const categories = ['secure', 'preoccupied', 'dismissing', 'fearful', 'unclassified'];
const atCuts = { low: 0, high: 1, unclassified: 2 };

const isMissing = (a) => a === null || a === undefined || a === '' || (typeof a === 'number' && Number.isNaN(a));

export async function loadBowlby() {
  const createBowlbyModule = await moduleFactory();
  const m = await createBowlbyModule();
  // The handle of each key this module loaded (the key objects are the caller's).
  const handles = new WeakMap();
  let builtins = null;

  function result(rc) {
    const text = m.UTF8ToString(m._bowlby_result());
    if (rc !== 0) throw new Error(text);
    return JSON.parse(text);
  }

  // One row's answers into values from `offset`; `row` (0-based) or null names it in messages.
  function putAnswers(values, offset, answers, row) {
    for (let i = 0; i < answers.length; ++i) {
      const a = answers[i];
      if (isMissing(a)) {
        values[offset + i] = NaN;
      } else {
        const x = Number(a);
        if (Number.isNaN(x)) throw new Error(`${row === null ? '' : `row ${row + 1}, `}answer ${i + 1} is not a number: ${a}`);
        values[offset + i] = x;
      }
    }
  }

  const isList = (x) => Array.isArray(x) || ArrayBuffer.isView(x);

  function answerValues(answers) {
    if (!isList(answers)) throw new Error('answers must be an array of numbers');
    const values = new Float64Array(answers.length);
    putAnswers(values, 0, answers, null);
    return values;
  }

  // Copies typed arrays (Float64Array or Int32Array; null stays a null pointer) onto the
  // module's heap for the call f(...pointers), and frees them after.
  function withHeap(arrays, f) {
    const pointers = [];
    try {
      for (const a of arrays) {
        if (a === null) { pointers.push(0); continue; }
        const ptr = m._malloc(Math.max(a.byteLength, 8));
        pointers.push(ptr);
        new a.constructor(m.HEAPF64.buffer, ptr, a.length).set(a);
      }
      return f(...pointers);
    } finally {
      for (const ptr of pointers) if (ptr) m._free(ptr);
    }
  }

  function scaleArgs(scale) {
    if (scale === undefined) return [0, 0, 0];
    if (!Array.isArray(scale) || scale.length !== 2) throw new Error('scale must be [min, max]');
    return [1, Number(scale[0]), Number(scale[1])];
  }

  // The library checks the fraction; undefined: the key file's, or 0.5.
  const minAnsweredArg = (minAnswered) => (minAnswered === undefined ? NaN : Number(minAnswered));

  function codesArg(missingCodes) {
    if (missingCodes === undefined) return new Float64Array(0);
    if (!isList(missingCodes) || ![...missingCodes].every((c) => typeof c === 'number' && Number.isFinite(c)))
      throw new Error('missingCodes must be an array of numbers');
    return Float64Array.from(missingCodes);
  }

  function loadKey(key, { name = 'key file' } = {}) {
    let text;
    if (typeof key === 'string') text = key;
    else if (key !== null && typeof key === 'object' && !Array.isArray(key)) text = JSON.stringify(key);
    else throw new Error('a key file is JSON text or an object parsed from it');
    const record = result(m.ccall('bowlby_load_key', 'number', ['string', 'string'], [text, String(name)]));
    const handle = record.handle;
    delete record.handle;
    handles.set(record, handle);
    return record;
  }

  // The id and handle of an instrument argument: a built-in id, a key from loadKey(), or a key
  // file's object (loaded here).
  function keyArgs(instrument) {
    if (typeof instrument === 'string') return [instrument, -1];
    if (instrument !== null && typeof instrument === 'object') {
      if (handles.has(instrument)) return [instrument.id, handles.get(instrument)];
      if ('bowlby_key' in instrument) return keyArgs(loadKey(instrument));
    }
    throw new Error('the instrument must be a built-in id, a key from loadKey() or a key file\'s object');
  }

  function instruments() {
    builtins ??= result(m.ccall('bowlby_instruments', 'number', [], []));
    return structuredClone(builtins);
  }

  // What instruments() says of a built-in id, or the key itself.
  function describe(instrument) {
    const [id, handle] = keyArgs(instrument);
    if (handle >= 0) return handles.has(instrument) ? instrument : loadKey(instrument);
    const all = instruments();
    const found = all.find((i) => i.id === id);
    if (!found) throw new Error(`unknown instrument '${id}'; the built-in instruments are: ${all.map((i) => i.id).join(', ')}`);
    return found;
  }

  // Presented order: item numbers (1-based) or names, each once, as 0-based indices.
  function orderArg(instrument, order) {
    if (order === undefined) return new Int32Array(0);
    if (!isList(order)) throw new Error('presentedOrder must be an array of item numbers or names');
    const names = describe(instrument).item_names;
    return Int32Array.from(order, (item) => {
      const i = typeof item === 'string' ? names.indexOf(item) : Number.isInteger(item) ? item - 1 : -1;
      if (i < 0) throw new Error(`presentedOrder: ${item} is not an item (a number from 1, or an item name)`);
      return i;
    });
  }

  function flagsArg(flags) {
    if (flags === undefined) return '{}';
    if (flags === null || typeof flags !== 'object' || Array.isArray(flags)) throw new Error('flags must be an object {name: threshold or "off"}');
    for (const [name, v] of Object.entries(flags))
      if (!(v === 'off' || (typeof v === 'number' && Number.isFinite(v))))
        throw new Error(`flags.${name}: a threshold (a number) or 'off' is needed, got ${v}`);
    return JSON.stringify(flags);
  }

  // The one-pass screening indices of rows (arrays of answers) and seconds (one per row, or null).
  function screenRows(instrument, rows, { scale, missingCodes, seconds, presentedOrder, flags } = {}) {
    const [id, handle] = keyArgs(instrument);
    const [has, lo, hi] = scaleArgs(scale);
    if (!isList(rows) || rows.length === 0 || ![...rows].every(isList)) throw new Error('rows must be a non-empty array of arrays of answers');
    const n = rows[0].length;
    const values = new Float64Array(rows.length * n);
    for (let r = 0; r < rows.length; ++r) {
      if (rows[r].length !== n) throw new Error(`row ${r + 1} has ${rows[r].length} answers, row 1 has ${n}`);
      putAnswers(values, r * n, rows[r], r);
    }
    let times = null;
    if (seconds !== undefined && seconds !== null) {
      if (!isList(seconds) || seconds.length !== rows.length) throw new Error('seconds must give one number per row');
      times = Float64Array.from(seconds, (t) => (isMissing(t) ? NaN : Number(t)));
      if (times.some((t, r) => Number.isNaN(t) && !isMissing(seconds[r]))) throw new Error('seconds must be numbers');
    }
    const order = orderArg(instrument, presentedOrder);
    const flagText = flagsArg(flags);
    const codes = codesArg(missingCodes);
    return withHeap([values, times, codes, order], (answersPtr, timesPtr, codesPtr, orderPtr) =>
      result(m.ccall('bowlby_screen', 'number',
                     ['string', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number',
                      'number', 'number', 'number', 'string'],
                     [id, handle, answersPtr, rows.length, n, timesPtr, has, lo, hi, codesPtr, codes.length, orderPtr,
                      order.length, flagText])));
  }

  return {
    version: m.UTF8ToString(m._bowlby_version()),

    instruments,

    // Reads a key file (docs/key-files.md): its JSON text or the object parsed from it; `name`
    // names it in messages. Returns what instruments() says of an instrument, with the file's
    // missing_codes and min_answered; pass it wherever an instrument id goes.
    loadKey,

    // What instruments() says of an id, or the key itself; throws for an unknown id.
    describe,

    score(instrument, answers, { scale, minAnswered, missingCodes } = {}) {
      const [id, handle] = keyArgs(instrument);
      const [has, lo, hi] = scaleArgs(scale);
      const codes = codesArg(missingCodes);
      return withHeap([answerValues(answers), codes], (ptr, codesPtr) =>
        result(m.ccall('bowlby_score', 'number',
                       ['string', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number'],
                       [id, handle, ptr, answers.length, has, lo, hi, minAnsweredArg(minAnswered), codesPtr, codes.length])));
    },

    // The rule classify() would use, described for a page: its source, the plot's axes and the
    // regions of each category, the words for its results. Throws as classify() would.
    rule(instrument, { method = 'midpoint', scale, sem, cut, atCut = 'unclassified', rescale = false } = {}) {
      const [id, handle] = keyArgs(instrument);
      const [has, lo, hi] = scaleArgs(scale);
      if (!(atCut in atCuts)) throw new Error(`atCut must be low, high or unclassified, not ${atCut}`);
      const [semAnx, semAvo] = sem ?? [0, 0];
      const [cutAnx, cutAvo] = cut ?? [NaN, NaN];
      return result(m.ccall('bowlby_rule', 'number',
                            ['string', 'number', 'string', 'number', 'number', 'number', 'number', 'number', 'number',
                             'number', 'number', 'number'],
                            [id, handle, method, has, lo, hi, semAnx, semAvo, cutAnx, cutAvo, atCuts[atCut], rescale ? 1 : 0]));
    },

    classify(instrument, answers, { method = 'midpoint', scale, minAnswered, missingCodes, sem, cut, atCut = 'unclassified',
                                    rescale = false, forcedChoice } = {}) {
      const [id, handle] = keyArgs(instrument);
      const [has, lo, hi] = scaleArgs(scale);
      if (!(atCut in atCuts)) throw new Error(`atCut must be low, high or unclassified, not ${atCut}`);
      const forced = forcedChoice === undefined ? 4 : categories.indexOf(forcedChoice);
      if (forced < 0) throw new Error(`forcedChoice must be one of ${categories.slice(0, 4).join(', ')}`);
      const [semAnx, semAvo] = sem ?? [0, 0];
      const [cutAnx, cutAvo] = cut ?? [NaN, NaN];
      const codes = codesArg(missingCodes);
      return withHeap([answerValues(answers), codes], (ptr, codesPtr) =>
        result(m.ccall('bowlby_classify', 'number',
                       ['string', 'number', 'string', 'number', 'number', 'number', 'number', 'number', 'number', 'number',
                        'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number'],
                       [id, handle, method, ptr, answers.length, has, lo, hi, minAnsweredArg(minAnswered), codesPtr,
                        codes.length, semAnx, semAvo, cutAnx, cutAvo, atCuts[atCut], rescale ? 1 : 0, forced])));
    },

    // Careless-responding screening of one respondent (docs/screening.md): the indices that need
    // no sample (longstring, longstring_avg, irv, evenodd, reverse_gap_<subscale>, and
    // seconds_per_item with `seconds`, the time spent on the items), the flags raised with the
    // library's default thresholds (or `flags`), n_flags, and flags_in_force.
    screen(instrument, answers, { seconds, ...options } = {}) {
      if (!isList(answers)) throw new Error('answers must be an array of numbers');
      const all = screenRows(instrument, [answers], { ...options, seconds: seconds === undefined || seconds === null ? undefined : [seconds] });
      const { rows, ...rest } = all;
      return { ...rows[0], ...rest };
    },

    // The same for many rows: {instrument, scale, columns, flags_in_force, rows: [...]};
    // `seconds` gives one time per row.
    screenRows,
  };
}
