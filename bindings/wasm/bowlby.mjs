// bowlby in JavaScript: the WebAssembly build of the library, for browsers and Node.
//
//   import { loadBowlby } from './bowlby.mjs';
//   const bowlby = await loadBowlby();
//   bowlby.instruments();                                   // [{id, name, items, scale, scores, ...}]
//   bowlby.score('ecr', answers);                           // {scores: [{name, value, answered, status}]}
//   bowlby.score('ecr', answers, { scale: [1, 5] });        // the ECR given on 1-5
//   bowlby.classify('ecr', answers, { method: 'midpoint', sem: [0.25, 0.22] });
//   bowlby.rule('ecr', { method: 'brennan1998' });          // {source, axes, regions, firmness, ...}
//
// Answers are numbers; null, undefined, '' and NaN are missing. Errors (an unknown instrument,
// the wrong number of answers, an answer outside the scale) are thrown as Error with the
// library's message.

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

export async function loadBowlby() {
  const createBowlbyModule = await moduleFactory();
  const m = await createBowlbyModule();

  function result(rc) {
    const text = m.UTF8ToString(m._bowlby_result());
    if (rc !== 0) throw new Error(text);
    return JSON.parse(text);
  }

  function withAnswers(answers, f) {
    if (!Array.isArray(answers) && !ArrayBuffer.isView(answers)) throw new Error('answers must be an array of numbers');
    const n = answers.length;
    const values = new Float64Array(n);
    for (let i = 0; i < n; ++i) {
      const a = answers[i];
      if (a === null || a === undefined || a === '' || (typeof a === 'number' && Number.isNaN(a))) {
        values[i] = NaN;
      } else {
        const x = Number(a);
        if (!Number.isFinite(x) && !(x === Infinity || x === -Infinity)) throw new Error(`answer ${i + 1} is not a number: ${a}`);
        values[i] = x;
      }
    }
    const ptr = m._malloc(8 * Math.max(n, 1));
    try {
      new Float64Array(m.HEAPF64.buffer, ptr, n).set(values);
      return f(ptr, n);
    } finally {
      m._free(ptr);
    }
  }

  function scaleArgs(scale) {
    if (scale === undefined) return [0, 0, 0];
    if (!Array.isArray(scale) || scale.length !== 2) throw new Error('scale must be [min, max]');
    return [1, Number(scale[0]), Number(scale[1])];
  }

  return {
    version: m.UTF8ToString(m._bowlby_version()),

    instruments() {
      return result(m.ccall('bowlby_instruments', 'number', [], []));
    },

    score(id, answers, { scale, minAnswered = 0.5 } = {}) {
      const [has, lo, hi] = scaleArgs(scale);
      return withAnswers(answers, (ptr, n) =>
        result(m.ccall('bowlby_score', 'number', ['string', 'number', 'number', 'number', 'number', 'number', 'number'],
                       [id, ptr, n, has, lo, hi, minAnswered])));
    },

    // The rule classify() would use, described for a page: its source, the plot's axes and the
    // regions of each category, the words for its results. Throws as classify() would.
    rule(id, { method = 'midpoint', scale, sem, cut, atCut = 'unclassified', rescale = false } = {}) {
      const [has, lo, hi] = scaleArgs(scale);
      if (!(atCut in atCuts)) throw new Error(`atCut must be low, high or unclassified, not ${atCut}`);
      const [semAnx, semAvo] = sem ?? [0, 0];
      const [cutAnx, cutAvo] = cut ?? [NaN, NaN];
      return result(m.ccall('bowlby_rule', 'number',
                            ['string', 'string', 'number', 'number', 'number', 'number', 'number', 'number', 'number',
                             'number', 'number'],
                            [id, method, has, lo, hi, semAnx, semAvo, cutAnx, cutAvo, atCuts[atCut], rescale ? 1 : 0]));
    },

    classify(id, answers, { method = 'midpoint', scale, minAnswered = 0.5, sem, cut, atCut = 'unclassified',
                            rescale = false, forcedChoice } = {}) {
      const [has, lo, hi] = scaleArgs(scale);
      if (!(atCut in atCuts)) throw new Error(`atCut must be low, high or unclassified, not ${atCut}`);
      const forced = forcedChoice === undefined ? 4 : categories.indexOf(forcedChoice);
      if (forced < 0) throw new Error(`forcedChoice must be one of ${categories.slice(0, 4).join(', ')}`);
      const [semAnx, semAvo] = sem ?? [0, 0];
      const [cutAnx, cutAvo] = cut ?? [NaN, NaN];
      return withAnswers(answers, (ptr, n) =>
        result(m.ccall('bowlby_classify', 'number',
                       ['string', 'string', 'number', 'number', 'number', 'number', 'number', 'number', 'number',
                        'number', 'number', 'number', 'number', 'number', 'number'],
                       [id, method, ptr, n, has, lo, hi, minAnswered, semAnx, semAvo, cutAnx, cutAvo, atCuts[atCut],
                        rescale ? 1 : 0, forced])));
    },
  };
}
