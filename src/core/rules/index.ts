export {
  PRICING_RULES,
  rulesOn,
  firstDayWhere,
  assertRuleTable,
  type PricingRules,
  type PricingRuleRow,
  type RuleSource,
} from './pricing-rules';
export { currencyOn, currenciesOf, parseCurrencySchedule, type CurrencyPeriod, type CurrencySchedule } from './currency-schedule';
