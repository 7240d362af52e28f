export { compareValues, previousDays, previousPeriod, type Comparison, type TimeRange } from './compare';
