/** An imported price file as stored; `kind` matches the demo's and `waspend rates|tiers import`. */
export interface StoredRateFile {
  kind: 'rates' | 'tiers' | 'call_rates';
  currency: string;
  effectiveFrom: string;
  fileName: string;
  importedAtMs: number;
  content: string;
}

/** Price files live next to the events so every replica builds the same price book. */
export interface RateFileStore {
  saveRateFile(file: StoredRateFile): Promise<void>;
  rateFiles(): Promise<StoredRateFile[]>;
}
