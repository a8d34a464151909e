/** Latency summaries. Values are milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarise(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return { count: 0, p50: NaN, p90: NaN, p99: NaN, max: NaN, mean: NaN };
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] ?? NaN;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { count: n, p50: r3(at(50)), p90: r3(at(90)), p99: r3(at(99)), max: r3(sorted[n - 1] ?? NaN), mean: r3(sum / n) };
}

export function r3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** A growable list of numbers without boxing (latencies of hundreds of thousands of calls). */
export class Samples {
  #data = new Float64Array(1024);
  #n = 0;
  push(value: number): void {
    if (this.#n === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#n++] = value;
  }
  get length(): number {
    return this.#n;
  }
  values(): Float64Array {
    return this.#data.subarray(0, this.#n);
  }
}
