// SPDX-License-Identifier: MIT
// convert: promfiler-bpf's Prometheus series -> the nested-set DataFrame that
// @grafana/flamegraph draws (fields label, level, value, self, and for a diff
// valueRight, selfRight; rows in depth-first pre-order under one root).
// Pure: no React, no Grafana runtime; the panel and the tests call it alike.
//
// Input is what Grafana's Prometheus data source returns: one frame per
// series (a number field whose labels hold `signature`), or one table frame
// (a `signature` string column and a `Value` number column). Each signature
// is the path of frames from the root to one call-tree node, joined by the
// agent's `--separator` (`#`): "(root)#main#mainLoop#hotFunction".
import { createDataFrame, type DataFrame, type Field, FieldType } from '@grafana/data';

export type Weight = 'self' | 'total';

export interface ConvertOptions {
  /** Between the frames of a signature (the agent's --separator). Empty: `#`. */
  separator: string;
  /** What a series' value is: the node's own time (counter, gauge with
   * --weight self) or its inclusive time (gauge with --weight total). */
  weight: Weight;
  /** Distinct signatures kept per side; the lightest beyond it are folded. */
  maxSeries: number;
  /** Unit of the series' values: "s" (CPU seconds: the frame holds
   * nanoseconds, unit "ns", which @grafana/flamegraph shows as time), or any
   * other Grafana unit id, kept as it is ("short": samples of the gauge). */
  unit: string;
  /** Diff mode: frames of this query (refId) are the baseline (left), every
   * other query the comparison (right). Unset: one flame graph of all. */
  baselineRefId?: string;
}

export const DEFAULT_SEPARATOR = '#';
export const OTHER_LABEL = '(other)';
export const EMPTY_LABEL = '(empty)';
export const MULTI_ROOT_LABEL = 'total';

export interface Series {
  signature: string;
  value: number;
  refId: string;
}

export interface ConvertResult {
  /** The frame to draw; absent when there is nothing to draw (see message). */
  frame?: DataFrame;
  /** Why nothing is drawn, for the user. */
  message?: string;
  /** Things the user should know about what is drawn (ignored series...). */
  notices: string[];
  /** Distinct signatures per side after summing: [left or only, right]. */
  signatures: [number, number];
}

interface Counts {
  noSignature: number;
  badValue: number;
  negative: number;
}

function lastNumber(values: ArrayLike<unknown>): number | undefined {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) {
      return typeof v === 'number' ? v : Number(v);
    }
  }
  return undefined;
}

/**
 * The (signature, value, refId) triples of Prometheus frames, in either of
 * the data source's formats. A series' value is its last non-null point (an
 * instant query has one). Series without a signature (or with an empty one:
 * Prometheus has no empty labels) are counted, not kept.
 */
export function collectSeries(frames: DataFrame[], counts?: Counts): Series[] {
  const out: Series[] = [];
  const c = counts ?? { noSignature: 0, badValue: 0, negative: 0 };
  for (const frame of frames ?? []) {
    const refId = frame.refId ?? '';
    const fields: Field[] = frame.fields ?? [];
    const sigField = fields.find((f) => f.name === 'signature' && f.type === FieldType.string);
    const numbers = fields.filter((f) => f.type === FieldType.number);
    if (sigField) {
      // Table format: a row per series.
      const valueField = numbers.find((f) => f.name === 'Value' || f.name.startsWith('Value')) ?? numbers[0];
      if (!valueField) {
        continue;
      }
      for (let i = 0; i < sigField.values.length; i++) {
        const sig = sigField.values[i];
        if (typeof sig !== 'string' || sig === '') {
          c.noSignature++;
          continue;
        }
        const v = valueField.values[i];
        out.push({ signature: sig, value: typeof v === 'number' ? v : Number(v), refId });
      }
      continue;
    }
    for (const f of numbers) {
      const sig = f.labels?.signature;
      // Prometheus has no empty label: "" is a missing one (table format).
      if (typeof sig !== 'string' || sig === '') {
        c.noSignature++;
        continue;
      }
      const v = lastNumber(f.values);
      out.push({ signature: sig, value: v === undefined ? NaN : v, refId });
    }
  }
  return out;
}

/** Frame names are shown verbatim but for control characters (a newline
 * would break a canvas label and the top table's row), written as escapes;
 * an empty name becomes "(empty)" so that it is seen. */
export function frameLabel(name: string): string {
  if (name === '') {
    return EMPTY_LABEL;
  }
  // eslint-disable-next-line no-control-regex
  return name.replace(/[\u0000-\u001f\u007f]/g, (ch) => {
    switch (ch) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    }
  });
}

interface Node {
  label: string;
  children: Map<string, Node>;
  // Per side (0 left/only, 1 right): the series' values that end here.
  given: [number, number];
  // Computed: total (inclusive) and self per side.
  value: [number, number];
  self: [number, number];
}

function newNode(label: string): Node {
  return { label, children: new Map(), given: [0, 0], value: [0, 0], self: [0, 0] };
}

function child(parent: Node, label: string): Node {
  let n = parent.children.get(label);
  if (!n) {
    n = newNode(label);
    parent.children.set(label, n);
  }
  return n;
}

/** Sums the series by signature for one side; drops bad values (counted). */
function sumBySignature(series: Series[], c: Counts): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of series) {
    if (!Number.isFinite(s.value)) {
      c.badValue++;
      continue;
    }
    if (s.value < 0) {
      c.negative++;
      continue;
    }
    m.set(s.signature, (m.get(s.signature) ?? 0) + s.value);
  }
  return m;
}

/** Keeps the `max` heaviest signatures; returns the rest's sum and count. */
function fold(sums: Map<string, number>, max: number): { kept: Array<[string, number]>; folded: number; foldedValue: number } {
  const all = Array.from(sums);
  if (max <= 0 || all.length <= max) {
    return { kept: all, folded: 0, foldedValue: 0 };
  }
  all.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let foldedValue = 0;
  for (let i = max; i < all.length; i++) {
    foldedValue += all[i][1];
  }
  return { kept: all.slice(0, max), folded: all.length - max, foldedValue };
}

function insert(top: Node, signature: string, sep: string, side: 0 | 1, value: number): Node {
  let n = top;
  let start = 0;
  for (;;) {
    const at = signature.indexOf(sep, start);
    const name = at < 0 ? signature.slice(start) : signature.slice(start, at);
    n = child(n, frameLabel(name));
    if (at < 0) {
      break;
    }
    start = at + sep.length;
  }
  n.given[side] += value;
  return n;
}

/** Post-order, without recursion (a hostile signature can be very deep). */
function computeTotals(root: Node, weight: Weight): void {
  const stack: Array<[Node, boolean]> = [[root, false]];
  while (stack.length) {
    const [n, seen] = stack.pop()!;
    if (!seen) {
      stack.push([n, true]);
      for (const c of n.children.values()) {
        stack.push([c, false]);
      }
      continue;
    }
    for (const side of [0, 1] as const) {
      let childSum = 0;
      for (const c of n.children.values()) {
        childSum += c.value[side];
      }
      if (weight === 'self') {
        n.self[side] = n.given[side];
        n.value[side] = n.given[side] + childSum;
      } else {
        // An inclusive value below its children's sum (series scraped at
        // different windows, or a missing ancestor): the children win, so
        // that every bar still holds its callees.
        n.value[side] = Math.max(n.given[side], childSum);
        n.self[side] = n.value[side] - childSum;
      }
    }
  }
}

function byLabel(a: Node, b: Node): number {
  return a.label < b.label ? -1 : a.label > b.label ? 1 : 0;
}

/**
 * Converts Prometheus frames to the nested-set frame of @grafana/flamegraph.
 * Never throws on bad input: what cannot be drawn is said in `message`,
 * what was left out in `notices`.
 */
export function seriesToFlameGraph(frames: DataFrame[], opts: ConvertOptions): ConvertResult {
  const counts: Counts = { noSignature: 0, badValue: 0, negative: 0 };
  const series = collectSeries(frames, counts);
  return buildFlameGraph(series, opts, counts);
}

export function buildFlameGraph(series: Series[], opts: ConvertOptions, counts?: Counts): ConvertResult {
  const c = counts ?? { noSignature: 0, badValue: 0, negative: 0 };
  const sep = opts.separator === '' || opts.separator === undefined ? DEFAULT_SEPARATOR : opts.separator;
  const diff = opts.baselineRefId !== undefined && opts.baselineRefId !== '';
  const sides: [Series[], Series[]] = [[], []];
  for (const s of series) {
    sides[diff && s.refId !== opts.baselineRefId ? 1 : 0].push(s);
  }
  const notices: string[] = [];
  const sums = sides.map((s) => sumBySignature(s, c));
  const signatures: [number, number] = [sums[0].size, sums[1].size];

  if (c.noSignature) {
    notices.push(`${c.noSignature} series without a signature label ignored`);
  }
  if (c.badValue) {
    notices.push(`${c.badValue} series with a NaN or infinite value ignored`);
  }
  if (c.negative) {
    notices.push(`${c.negative} series with a negative value ignored`);
  }
  if (sums[0].size === 0 && sums[1].size === 0) {
    const why = series.length === 0 && c.noSignature === 0 ? 'No data' : 'No series with a signature and a value';
    return { message: `${why}: the query returns no promfiler-bpf series`, notices, signatures };
  }
  if (diff && (sums[0].size === 0 || sums[1].size === 0)) {
    return {
      message:
        sums[0].size === 0
          ? `Diff mode: the baseline query ${opts.baselineRefId} returns no series`
          : `Diff mode: only the baseline query ${opts.baselineRefId} returns series; add a query to compare with it`,
      notices,
      signatures,
    };
  }

  const top = newNode('');
  const max = Math.max(0, Math.floor(opts.maxSeries || 0));
  const other: [number, number] = [0, 0];
  let folds = false;
  for (const side of [0, 1] as const) {
    const { kept, folded, foldedValue } = fold(sums[side], max);
    for (const [sig, v] of kept) {
      insert(top, sig, sep, side, v);
    }
    if (folded) {
      // Self values: the folded time goes to an (other) node under the root
      // (added below, once the root is known). Inclusive values: the
      // dropped series' time is still in their ancestors' totals.
      if (opts.weight === 'self') {
        other[side] += foldedValue;
        folds = true;
        notices.push(`${folded} lightest of ${sums[side].size} signatures folded into ${OTHER_LABEL} (limit ${max})`);
      } else {
        notices.push(`${folded} lightest of ${sums[side].size} signatures left out (limit ${max}); their time stays in their callers`);
      }
    }
  }

  // One root: the signatures' common first frame, else a synthetic one.
  let root: Node;
  if (top.children.size === 1) {
    root = top.children.values().next().value as Node;
  } else {
    root = newNode(MULTI_ROOT_LABEL);
    root.children = top.children;
  }
  if (folds) {
    const o = child(root, OTHER_LABEL);
    o.given[0] += other[0];
    o.given[1] += other[1];
  }
  computeTotals(root, opts.weight);
  if (root.value[0] + root.value[1] === 0) {
    return { message: 'No CPU time in this range: every series is 0', notices, signatures };
  }

  const label: string[] = [];
  const level: number[] = [];
  const value: number[] = [];
  const self: number[] = [];
  const valueRight: number[] = [];
  const selfRight: number[] = [];
  const seconds = (opts.unit || 's') === 's';
  const k = seconds ? 1e9 : 1;
  const stack: Array<[Node, number]> = [[root, 0]];
  while (stack.length) {
    const [n, depth] = stack.pop()!;
    label.push(n.label);
    level.push(depth);
    if (diff) {
      // @grafana/flamegraph's diff: value and self hold both sides,
      // valueRight and selfRight the right (compared) side alone.
      value.push((n.value[0] + n.value[1]) * k);
      self.push((n.self[0] + n.self[1]) * k);
      valueRight.push(n.value[1] * k);
      selfRight.push(n.self[1] * k);
    } else {
      value.push(n.value[0] * k);
      self.push(n.self[0] * k);
    }
    // A node without time on either side (a counter that did not move in
    // the range) would be a zero-width bar and a 0 row in the top table.
    const kids = Array.from(n.children.values())
      .filter((c) => c.value[0] + c.value[1] > 0)
      .sort(byLabel);
    for (let i = kids.length - 1; i >= 0; i--) {
      stack.push([kids[i], depth + 1]);
    }
  }
  const unit = seconds ? 'ns' : opts.unit;
  const fields = [
    { name: 'level', type: FieldType.number, values: level },
    { name: 'label', type: FieldType.string, values: label },
    { name: 'value', type: FieldType.number, values: value, config: { unit } },
    { name: 'self', type: FieldType.number, values: self, config: { unit } },
  ];
  if (diff) {
    fields.push({ name: 'valueRight', type: FieldType.number, values: valueRight, config: { unit } });
    fields.push({ name: 'selfRight', type: FieldType.number, values: selfRight, config: { unit } });
  }
  const frame = createDataFrame({
    name: 'flamegraph',
    meta: { preferredVisualisationType: 'flamegraph' },
    fields,
  });
  return { frame, notices, signatures };
}
