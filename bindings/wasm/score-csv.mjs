// Scores a CSV of respondents with bowlby's WebAssembly module, as a survey server would.
//   node score-csv.mjs INSTRUMENT FIRST_ITEM_COLUMN:LAST_ITEM_COLUMN INPUT.csv [--scale MIN:MAX] [--missing-code V]
// INSTRUMENT is a built-in id or a key file (a path ending in .json, docs/key-files.md), whose
// missing codes and min_answered hold as in `bowlby score --key`.
// Writes CSV to standard output: row, then each score and its answered count, then status
// (the same columns as `bowlby score`). Reads simple CSV (no quoted fields with commas).
import { readFileSync } from 'node:fs';
import { loadBowlby } from './bowlby.mjs';

const [id, span, path, ...rest] = process.argv.slice(2);
if (!path) {
  console.error('usage: node score-csv.mjs INSTRUMENT|KEY.json FIRST:LAST INPUT.csv [--scale MIN:MAX] [--missing-code V]');
  process.exit(2);
}
const option = (name) => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined; };
const scale = option('--scale')?.split(':').map(Number);
const missing = option('--missing-code');

const bowlby = await loadBowlby();
let instrument = id;
if (id.endsWith('.json')) {
  try {
    instrument = bowlby.loadKey(readFileSync(id, 'utf8'), { name: id });
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
const lines = readFileSync(path, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.length > 0);
const header = lines[0].split(',');
const [first, last] = span.split(':').map((c) => header.indexOf(c));
if (first < 0 || last < first) { console.error(`no columns ${span} in ${path}`); process.exit(2); }
const rank = { complete: 0, prorated: 1, insufficient: 2 };
let out = null;
lines.slice(1).forEach((line, r) => {
  const cells = line.split(',').slice(first, last + 1);
  const answers = cells.map((c) => (c === '' || c === 'NA' || c === '.' || c === missing ? null : Number(c)));
  try {
    const { scores } = bowlby.score(instrument, answers, { scale });
    if (!out) out = ['row', ...scores.flatMap((s) => [s.name, `${s.name}_n`]), 'status'].join(',') + '\n';
    const worst = scores.reduce((w, s) => (rank[s.status] > rank[w] ? s.status : w), 'complete');
    out += [r + 1, ...scores.flatMap((s) => [s.value ?? '', s.answered]), worst].join(',') + '\n';
  } catch (e) {
    console.error(`${path}, line ${r + 2}: ${e.message}`);
    process.exit(1);
  }
});
process.stdout.write(out ?? '');
