export type { QueryContext, WabaInfo } from './query-context';
export { currenciesOfWaba, currencyOfDay, currencyPeriods, NO_CURRENCY, selectedWabas } from './query-context';
export { localDays, type LocalDays } from './day-range';
export { pricedUsage, directionOf } from './priced-usage';
export {
  localMonthPricer,
  MovedUnderfoot,
  pricingVersion,
  Repricer,
  type MonthPricer,
  type PricedDayRows,
  type PricedMonth,
  type RepricerOptions,
} from './re-pricer';
export { usageSeries, usageFacts } from './usage-series';
export { callsSeries } from './calls-series';
export { annotations, contactsSeries, listValues, pricingInput, pricingInputBody, reconciliation, tierState } from './other-series';
export {
  buildReport,
  formatReport,
  parseReportDimensions,
  REPORT_COLUMNS,
  REPORT_DIMENSIONS,
  type ReportRow,
  type ReportDimension,
} from './report';
export { CONSOLIDATION_DAYS, isConsolidating, monthlyReconciliation } from './monthly-reconciliation';
