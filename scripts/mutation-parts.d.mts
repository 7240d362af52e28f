// Types of scripts/mutation-parts.mjs for the TypeScript test that checks the parts.
export const FOLDERS: Record<'core' | 'query' | 'frames', string>;
export const NOT_MUTATED: string[];
export const PARTS: Record<string, Record<string, string[]>>;
export const REST: 'rest';
export function partsOf(scope: string): string[];
export function mutateOf(scope: string, part?: string): string[];
export function runName(scope: string, part?: string): string;
