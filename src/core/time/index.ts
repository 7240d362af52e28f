export {
  addDays,
  addMonths,
  assertDay,
  daysBetween,
  daysInMonth,
  dayOfWeek,
  firstDayOf,
  isDay,
  monthOf,
  parseMonth,
  dayNumberOf,
  formatDayNumber,
  MS_PER_DAY,
} from './calendar';
export { assertTimeZone, offsetAt, MS_PER_HOUR } from './zone-offset';
export { dayStartMs, hourStartMs, localDay, localDayNumber, localHour, monthStartMs } from './local-time';
