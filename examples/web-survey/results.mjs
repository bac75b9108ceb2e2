// The results page for a respondent: each score with its name, one decimal, its range and
// what high and low mean (from the instrument's key); the group in words with how sure it is
// (in the words of the rule in force); the plane with the rule's own regions. Every number and
// word comes from the module's data (bowlby.score/classify/rule): nothing is scored here.
// Text goes in as text; the SVG is built element by element.

const colour = { secure: '#4daf4a', preoccupied: '#377eb8', dismissing: '#ff7f00', fearful: '#e41a1c' };
const svgNs = 'http://www.w3.org/2000/svg';

function el(tag, attributes = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag, attributes = {}, text) {
  const e = document.createElementNS(svgNs, tag);
  for (const [k, v] of Object.entries(attributes)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const oneDecimal = (x) => (x === null || x === undefined ? 'no score (too few answers)' : x.toFixed(1));
const capital = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function scoreTable(instrument, data) {
  const table = el('table', { id: 'scores' });
  const head = el('tr');
  for (const h of ['Score', 'Yours', 'Range']) head.append(el('th', { scope: 'col' }, h));
  table.append(el('thead'), el('tbody'));
  table.tHead.append(head);
  for (const s of instrument.score_details) {
    const row = el('tr', { 'data-score': s.name, 'data-value': data[s.name] ?? '' });
    const name = el('th', { scope: 'row' }, s.label);
    name.append(el('span', { class: 'about' }, s.about));
    row.append(name, el('td', { class: 'value' }, oneDecimal(data[s.name])), el('td', { class: 'range' }, `${s.range[0]} to ${s.range[1]}`));
    table.tBodies[0].append(row);
  }
  return table;
}

// "about 7 in 10": the probability as a respondent reads it.
const inTen = (p) => `about ${Math.round(10 * p)} in 10`;

function categoryText(rule, options, data) {
  const box = el('div', { id: 'category', 'data-category': data.category ?? '', 'data-probability': data.category_p ?? '' });
  if (rule === null) {
    box.append(el('p', {}, `This questionnaire gives scores but no attachment group: ${options.noCategory}.`));
    return box;
  }
  const p = el('p');
  if (data.category === 'unclassified') {
    p.append(`Your answers put you between groups (${data.category_reason}).`);
  } else {
    p.append('Your group: ', el('strong', {}, capital(data.category)), ` — ${rule.categories[data.category]}.`);
  }
  box.append(p);
  if (data.category !== 'unclassified') {
    if (rule.firmness && data.category_p !== null) box.append(el('p', { id: 'firmness' }, rule.firmness.replace('{p}', inTen(data.category_p))));
    if (data.boundary_distance > 0) box.append(el('p', { id: 'margin' }, rule.margin.replace('{d}', data.boundary_distance.toFixed(1))));
    else if (data.rule.forced_choice) box.append(el('p', { id: 'margin' }, 'Your highest ratings were equal; your choice of the description that fits you best decided.'));
  }
  box.append(el('p', { class: 'source' }, `How the group is found: ${rule.source}.`));
  return box;
}

// The plane of the rule: its regions as the module gives them, ticks at whole numbers, low and
// high at the ends of each axis, and the respondent's point.
function plane(rule, data) {
  const size = 320, left = 56, bottom = 56, top = 12, right = 12;
  const [lo, hi] = rule.scale;
  const w = size - left - right, h = size - top - bottom;
  const X = (v) => left + ((v - lo) / (hi - lo)) * w;
  const Y = (v) => top + h - ((v - lo) / (hi - lo)) * h;
  const root = svg('svg', { id: 'plane', viewBox: `0 0 ${size} ${size}`, role: 'img', 'font-size': 11,
                            'aria-label': `Your scores on ${rule.axes.x.label} and ${rule.axes.y.label}, with the groups' regions` });
  const regions = svg('g', { id: 'regions' });
  const labels = svg('g', { id: 'region-labels', 'text-anchor': 'middle', 'font-weight': 'bold' });
  for (const r of rule.regions) {
    const points = r.points.map(([x, y]) => `${X(x).toFixed(2)},${Y(y).toFixed(2)}`).join(' ');
    regions.append(svg('polygon', { points, fill: colour[r.category], 'fill-opacity': 0.18, stroke: '#333', 'stroke-width': 1,
                                    'data-category': r.category, 'data-region': JSON.stringify(r.points) }));
    const cx = r.points.reduce((a, p) => a + p[0], 0) / r.points.length, cy = r.points.reduce((a, p) => a + p[1], 0) / r.points.length;
    labels.append(svg('text', { x: X(cx), y: Y(cy), fill: colour[r.category] }, r.category));
  }
  root.append(regions, labels, svg('rect', { x: left, y: top, width: w, height: h, fill: 'none', stroke: '#000' }));
  const ticks = svg('g', { id: 'ticks', stroke: '#000' }), tickLabels = svg('g', { id: 'tick-labels' });
  for (let v = Math.ceil(lo); v <= hi; ++v) {
    ticks.append(svg('line', { x1: X(v), y1: top + h, x2: X(v), y2: top + h + 4 }), svg('line', { x1: left - 4, y1: Y(v), x2: left, y2: Y(v) }));
    tickLabels.append(svg('text', { x: X(v), y: top + h + 15, 'text-anchor': 'middle' }, v),
                      svg('text', { x: left - 7, y: Y(v) + 4, 'text-anchor': 'end' }, v));
  }
  root.append(ticks, tickLabels,
    svg('text', { x: left, y: top + h + 28, 'text-anchor': 'start' }, 'low'),
    svg('text', { x: left + w, y: top + h + 28, 'text-anchor': 'end' }, 'high'),
    svg('text', { x: left + w / 2, y: size - 10, 'text-anchor': 'middle', 'font-size': 12, id: 'x-title' }, rule.axes.x.label),
    svg('text', { transform: `translate(14 ${top + h}) rotate(-90)`, 'text-anchor': 'start' }, 'low'),
    svg('text', { transform: `translate(14 ${top}) rotate(-90)`, 'text-anchor': 'end' }, 'high'),
    svg('text', { transform: `translate(28 ${top + h / 2}) rotate(-90)`, 'text-anchor': 'middle', 'font-size': 12, id: 'y-title' }, rule.axes.y.label));
  const x = data[rule.axes.x.score], y = data[rule.axes.y.score];
  if (typeof x === 'number' && typeof y === 'number') {
    const you = svg('circle', { id: 'you', cx: X(x), cy: Y(y), r: 6, fill: '#000', 'data-x': x, 'data-y': y });
    you.append(svg('title', {}, 'You'));
    root.append(you);
  }
  return root;
}

/// Fills `container` with the results of the scored trial's data.
export function renderResults(container, bowlby, options, data) {
  container.replaceChildren(el('h2', {}, 'Your results'));
  if (data.bowlby_error) {
    container.append(el('p', { class: 'error', id: 'error' }, data.bowlby_error));
  } else {
    container.append(scoreTable(options.instrument, data), categoryText(options.rule, options, data));
    if (options.rule?.axes && data.category !== null) container.append(plane(options.rule, data));
  }
  container.hidden = false;
}
