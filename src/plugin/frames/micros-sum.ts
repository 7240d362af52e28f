/**
 * An exact sum of micro-units that allocates nothing per addition while it can: a double holds
 * every integer up to 2^53 exactly, so amounts are added as numbers until an amount or the running
 * sum would leave that range, and from then on that amount goes to a bigint. Summing tens of
 * thousands of priced rows per query, a bigint per addition was a sizeable share of the time.
 */
export class MicrosSum {
  private small = 0;
  private big = 0n;

  add(micros: bigint): void {
    const n = Number(micros);
    const small = this.small + n;
    if (Number.isSafeInteger(n) && Number.isSafeInteger(small)) this.small = small;
    else this.big += micros;
  }

  get total(): bigint {
    return this.big + BigInt(this.small);
  }
}
