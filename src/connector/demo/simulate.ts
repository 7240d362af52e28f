import { addDays, dayStartMs, localDay } from '@core';
import type { DemoWaba } from './demo-wabas';
import type { SimEvent } from './sim-events';
import { SimShared, WabaSim } from './sim-state';
import { simulateWabaDay } from './waba-day';

export interface SimulationOptions {
  seed: string;
  asOfMs: number;
  days: number;
  scale: number;
  wabas: readonly DemoWaba[];
}

export interface Simulation {
  events: Generator<SimEvent, void, undefined>;
  /** Complete once `events` is exhausted. */
  shared: SimShared;
}

/**
 * Runs the WABAs side by side, one WABA-local day at a time, and yields their events in arrival
 * order. After each round only events that arrive before the earliest end of the days just
 * simulated are released: later rounds can only produce events after that instant, so the stream
 * is ordered exactly while memory stays bounded by about a day of traffic. Nothing arriving after
 * asOf is released.
 */
export function runSimulation(options: SimulationOptions): Simulation {
  const shared = new SimShared(options.seed, options.asOfMs);
  const contactsPer = Math.max(200, Math.round(3000 * options.scale));
  const sims = options.wabas.map((w, i) => new WabaSim(i, w, contactsPer, options.seed));
  const firstDays = sims.map((s) => addDays(localDay(options.asOfMs, s.waba.timezone), -(options.days - 1)));

  function* events(): Generator<SimEvent, void, undefined> {
    for (let d = 0; d < options.days; d++) {
      let horizon = options.asOfMs;
      sims.forEach((sim, i) => {
        const day = addDays(firstDays[i] as string, d);
        simulateWabaDay({ shared, sim, day, dayIndex: d, days: options.days, scale: options.scale }, options.asOfMs);
        horizon = Math.min(horizon, dayStartMs(addDays(day, 1), sim.waba.timezone));
      });
      while (shared.out.peekTime() < horizon) yield shared.out.pop() as SimEvent;
    }
    while (shared.out.peekTime() <= options.asOfMs) yield shared.out.pop() as SimEvent;
    while (shared.out.size > 0) shared.out.pop();
  }

  return { events: events(), shared };
}
