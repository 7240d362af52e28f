import { InputError } from '../errors';
import type { Micros } from '../model/money';

export interface Share {
  key: string;
  /** Billed units (or any whole-number weight). */
  weight: number | bigint;
}

export interface Allocation {
  key: string;
  weight: bigint;
  micros: Micros;
}

function toWeight(weight: number | bigint, field: string): bigint {
  if (typeof weight === 'bigint' && weight >= 0n) return weight;
  if (typeof weight === 'number' && Number.isSafeInteger(weight) && weight >= 0) return BigInt(weight);
  throw new InputError(field, typeof weight === 'bigint' ? weight.toString() : weight, 'must be a whole number >= 0');
}

/**
 * Splits `totalMicros` over shares in proportion to their weights with the largest-remainder method,
 * so the parts always sum to the total exactly. Leftover micro-units go to the largest remainders;
 * ties go to the larger weight, then the smaller key, then the earlier share. When every weight is 0
 * the total is split equally. Results are in input order.
 */
export function allocate(totalMicros: Micros, shares: readonly Share[]): Allocation[] {
  if (typeof totalMicros !== 'bigint') throw new InputError('totalMicros', totalMicros, 'must be a bigint amount of micro-units');
  if (!Array.isArray(shares)) throw new InputError('shares', shares, 'must be an array of { key, weight }');
  if (shares.length === 0) {
    if (totalMicros !== 0n) throw new InputError('shares', [], 'cannot be empty when the total is not zero');
    return [];
  }
  let weights = shares.map((s, i) => toWeight(s.weight, `shares[${i}].weight`));
  let sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) {
    weights = weights.map(() => 1n);
    sum = BigInt(weights.length);
  }
  const negative = totalMicros < 0n;
  const total = negative ? -totalMicros : totalMicros;
  const parts = weights.map((w) => (total * w) / sum);
  const remainders = weights.map((w) => (total * w) % sum);
  let leftover = total - parts.reduce((a, b) => a + b, 0n);
  const order = shares
    .map((_, i) => i)
    .sort((a, b) => {
      const ra = remainders[a] as bigint;
      const rb = remainders[b] as bigint;
      if (ra !== rb) return ra > rb ? -1 : 1;
      const wa = weights[a] as bigint;
      const wb = weights[b] as bigint;
      if (wa !== wb) return wa > wb ? -1 : 1;
      const ka = (shares[a] as Share).key;
      const kb = (shares[b] as Share).key;
      return ka < kb ? -1 : ka > kb ? 1 : a - b;
    });
  for (const i of order) {
    if (leftover === 0n) break;
    parts[i] = (parts[i] as bigint) + 1n;
    leftover -= 1n;
  }
  return shares.map((s, i) => ({
    key: s.key,
    weight: weights[i] as bigint,
    micros: negative ? -(parts[i] as bigint) : (parts[i] as bigint),
  }));
}
