/**
 * Drives the query worker's test gate (ConnectorOptions.queryWorkerGate; its slots are described at
 * QueryWorkerData.gate in src/connector/runtime/query-worker.ts): slot 0 is the mode (GATE_RUN,
 * GATE_HOLD, GATE_CRASH), slot 1 counts the queries that reached the gate, slot 2 is added to the
 * worker's monotonic clock. No sleeps: each step waits on the slot the worker moves.
 */

type WaitAsync = (a: Int32Array, i: number, v: number) => { async: boolean; value: unknown };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** Resolves once gate[slot] satisfies `ok` (the worker moves it with Atomics.add and notify). */
export async function slotReaches(gate: Int32Array, slot: number, ok: (v: number) => boolean): Promise<void> {
  for (let v = Atomics.load(gate, slot); !ok(v); v = Atomics.load(gate, slot)) {
    const w = waitAsync(gate, slot, v);
    if (w.async) await w.value;
  }
}

export function setSlot(gate: Int32Array, slot: number, value: number): void {
  Atomics.store(gate, slot, value);
  Atomics.notify(gate, slot);
}

/** Sets the gate's mode (GATE_RUN, GATE_HOLD or GATE_CRASH). */
export const setGate = (gate: Int32Array, mode: number): void => setSlot(gate, 0, mode);

/** Moves the worker's monotonic clock (slot 2, what its query caches age on) on by `ms`, as jest's fake clock does in the HTTP thread. */
export const advanceWorkerClock = (gate: Int32Array, ms: number): void => void Atomics.add(gate, 2, ms);

/** Resolves once `count` queries have reached the gate (the worker is blocked inside the last one while held). */
export const reached = (gate: Int32Array, count: number): Promise<void> => slotReaches(gate, 1, (v) => v >= count);
