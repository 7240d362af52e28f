import { d360UsageSource } from './d360-usage-source';
import { metaCallsSource } from './meta-calls-source';
import { metaConversationsSource } from './meta-conversations-source';
import { metaPricingSource } from './meta-pricing-source';
import type { SourceDefinition } from './source-context';

/** Every analytics source, in the order a run pulls them. */
export const ALL_SOURCES: readonly SourceDefinition[] = [metaPricingSource, metaCallsSource, metaConversationsSource, d360UsageSource];
