export {
  assertScenario,
  shiftRules,
  MOVE_TARGETS,
  type MoveTarget,
  type RateOverride,
  type RuleShift,
  type Scenario,
  type ScenarioPriceFile,
  type ServiceMove,
} from './scenario';
export {
  priceScenario,
  priceScenarioEach,
  priorTierUnits,
  scenarioBook,
  type PriorUnitsRow,
  type ScenarioOutcome,
  type ScenarioResult,
  type ScenarioSink,
} from './price-scenario';
