export { allocate, type Allocation, type Share } from './allocate';
export { allocateByMarketCategory, type GroupCost, type GroupUsage, type MarketCategoryTotal } from './by-market-category';
