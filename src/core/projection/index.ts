export { projectAverage, projectWeekday, type Projection } from './project';
export type { DailyValue, ProjectionInput } from './daily-series';
