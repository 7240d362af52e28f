import type { Category, Direction, PricingType } from '@core';

/** What the simulation emits, in the order Meta would deliver it (`arrivalMs`), before it is wrapped as webhooks. */

export interface SimPricing {
  type: PricingType;
  /** As Meta writes it in webhooks (authentication-international with a hyphen). */
  category: string;
}

export interface SimStatus {
  kind: 'status';
  arrivalMs: number;
  atMs: number;
  wabaIndex: number;
  phoneIndex: number;
  wamid: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  recipient: string;
  pricing?: SimPricing;
  /** FEP window id and its end (end only on `sent`). */
  fep?: { id: string; untilMs?: number };
  tag?: string;
  error?: { code: number; title: string };
}

export interface SimInbound {
  kind: 'inbound';
  arrivalMs: number;
  atMs: number;
  wabaIndex: number;
  phoneIndex: number;
  wamid: string;
  from: string;
  name: string;
  text: string;
  referral?: { adId: string; headline: string; ctwaClid: string };
}

export interface SimCall {
  kind: 'call';
  arrivalMs: number;
  atMs: number;
  wabaIndex: number;
  phoneIndex: number;
  callId: string;
  event: 'connect' | 'terminate';
  direction: Direction;
  user: string;
  status?: 'COMPLETED' | 'FAILED';
  startMs?: number;
  endMs?: number;
  durationSec?: number;
  tag?: string;
}

export interface SimTier {
  kind: 'tier';
  arrivalMs: number;
  atMs: number;
  wabaIndex: number;
  category: 'UTILITY' | 'AUTHENTICATION' | 'AUTHENTICATION_INTERNATIONAL';
  tier: string;
  month: string;
  region: string;
}

export interface SimTemplateCategory {
  kind: 'template_category';
  arrivalMs: number;
  atMs: number;
  wabaIndex: number;
  templateId: string;
  name: string;
  language: string;
  previous: string;
  next: string;
}

export type SimEvent = SimStatus | SimInbound | SimCall | SimTier | SimTemplateCategory;

/** One delivered message as Meta counts it (day of delivery), for "Meta's figures". */
export interface DeliveredFact {
  wabaIndex: number;
  phoneIndex: number;
  deliveredAtMs: number;
  recipient: string;
  category: Category;
  pricingType: PricingType;
}

export interface CallFact {
  wabaIndex: number;
  phoneIndex: number;
  callId: string;
  startMs: number;
  direction: Direction;
  durationSec: number;
  user: string;
}
