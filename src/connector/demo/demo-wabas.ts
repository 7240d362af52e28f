import type { Category } from '@core';

/**
 * The demo's businesses: three WABAs in different time zones and currencies, in two portfolios
 * (volume tiers are counted per portfolio), with their numbers, audiences and message mix.
 * Every name and number is invented.
 */

export interface DemoPhone {
  id: string;
  display: string;
  /** Share of the WABA's traffic sent from this number. */
  weight: number;
}

export interface DemoTemplate {
  name: string;
  category: Category;
  /** biz_opaque_callback_data tag, or null for untagged sends. */
  tag: string | null;
}

export interface DemoWaba {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  portfolio: string;
  phones: DemoPhone[];
  /** Recipient countries (ISO alpha-2, see demo contacts) with their weights. */
  audience: readonly (readonly [string, number])[];
  /** Weekday message counts at scale 1. */
  daily: {
    marketing: number;
    marketingLite: number;
    utility: number;
    authentication: number;
    inbound: number;
    referrals: number;
    userCalls: number;
    businessCalls: number;
  };
  /** Campaign names used for marketing spikes. */
  campaigns: string[];
  templates: DemoTemplate[];
}

export const DEMO_WABAS: readonly DemoWaba[] = [
  {
    id: '104500000000101',
    name: 'Loja Aurora (demo)',
    timezone: 'America/Sao_Paulo',
    currency: 'BRL',
    portfolio: 'demo-latam',
    phones: [
      { id: '209500000000111', display: '+55 11 3500-0101', weight: 0.7 },
      { id: '209500000000112', display: '+55 21 3500-0102', weight: 0.3 },
    ],
    audience: [
      ['BR', 70],
      ['AR', 6],
      ['MX', 5],
      ['US', 4],
      ['DO', 2],
      ['PR', 2],
      ['JM', 1],
      ['ES', 3],
      ['DE', 1],
      ['GB', 1],
      ['IN', 1],
      ['NG', 1],
      ['KZ', 1],
    ],
    daily: {
      marketing: 220,
      marketingLite: 40,
      utility: 160,
      authentication: 90,
      inbound: 60,
      referrals: 15,
      userCalls: 12,
      businessCalls: 2,
    },
    campaigns: ['black-friday', 'winter-sale', 'app-launch'],
    templates: [
      { name: 'order_shipped', category: 'utility', tag: 'order-updates' },
      { name: 'payment_received', category: 'utility', tag: null },
      { name: 'otp_login', category: 'authentication', tag: 'otp-login' },
      { name: 'cart_reminder', category: 'marketing', tag: 'cart-recovery' },
    ],
  },
  {
    id: '104500000000202',
    name: 'Chai & Co (demo)',
    timezone: 'Asia/Kolkata',
    currency: 'INR',
    portfolio: 'demo-global',
    phones: [
      { id: '209500000000221', display: '+91 80 4500 0201', weight: 0.6 },
      { id: '209500000000222', display: '+91 22 4500 0202', weight: 0.4 },
    ],
    audience: [
      ['IN', 75],
      ['AE', 6],
      ['GB', 4],
      ['US', 4],
      ['ID', 3],
      ['ZA', 2],
      ['NG', 2],
      ['DE', 1],
      ['RU', 1],
      ['KZ', 1],
      ['BR', 1],
    ],
    daily: {
      marketing: 180,
      marketingLite: 30,
      utility: 220,
      authentication: 140,
      inbound: 50,
      referrals: 10,
      userCalls: 8,
      businessCalls: 10,
    },
    campaigns: ['diwali-offers', 'monsoon-sale', 'loyalty-week'],
    templates: [
      { name: 'delivery_update', category: 'utility', tag: 'order-updates' },
      { name: 'invoice_ready', category: 'utility', tag: null },
      { name: 'otp_verify', category: 'authentication', tag: 'otp-login' },
      { name: 'reorder_nudge', category: 'marketing', tag: 'reorder' },
    ],
  },
  {
    id: '104500000000303',
    name: 'Nordlicht Reisen (demo)',
    timezone: 'Europe/Berlin',
    currency: 'EUR',
    portfolio: 'demo-global',
    phones: [{ id: '209500000000331', display: '+49 30 4500 0301', weight: 1 }],
    audience: [
      ['DE', 60],
      ['IN', 8],
      ['GB', 6],
      ['ES', 6],
      ['US', 5],
      ['AE', 4],
      ['RU', 3],
      ['ZA', 2],
      ['MX', 2],
      ['JM', 1],
      ['PR', 1],
      ['ID', 2],
    ],
    daily: { marketing: 60, marketingLite: 0, utility: 70, authentication: 40, inbound: 25, referrals: 3, userCalls: 3, businessCalls: 5 },
    campaigns: ['summer-deals', 'last-minute'],
    templates: [
      { name: 'booking_confirmed', category: 'utility', tag: 'bookings' },
      { name: 'checkin_reminder', category: 'utility', tag: null },
      { name: 'login_code', category: 'authentication', tag: 'otp-login' },
      { name: 'newsletter', category: 'marketing', tag: null },
    ],
  },
];

/** The template Meta recategorises from utility to marketing during the demo (Loja Aurora's). */
export const RECATEGORISED_TEMPLATE = { wabaId: '104500000000101', name: 'order_shipped', templateId: '771500000000001' };
