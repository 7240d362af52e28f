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
export { priceScenario, priorTierUnits, scenarioBook, type PriorUnitsRow, type ScenarioResult } from './price-scenario';
