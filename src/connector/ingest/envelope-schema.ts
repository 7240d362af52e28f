import { z } from 'zod';

/**
 * zod schemas for the Cloud API webhook envelope as Meta and 360Dialog post it. Every object is
 * loose (unknown keys kept) because Meta adds fields between Graph versions and the raw body is
 * stored for re-pricing; only the fields the connector counts on are checked.
 */

/** Meta sends Unix seconds as strings in statuses/messages/calls and as numbers in account_update. */
export const unixSeconds = z.union([z.string().regex(/^\d{1,12}$/, 'expected Unix seconds'), z.number().int().nonnegative()]);

export const pricingSchema = z.looseObject({
  billable: z.boolean().optional(),
  pricing_model: z.string().optional(),
  type: z.string().optional(),
  category: z.string().optional(),
});

export const statusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  // Read leniently in normalise-events (an odd conversation object must not cost the status).
  conversation: z
    .looseObject({ id: z.unknown().optional(), expiration_timestamp: z.unknown().optional(), origin: z.unknown().optional() })
    .optional(),
  pricing: pricingSchema.optional(),
  errors: z.array(z.looseObject({ code: z.number().optional() })).optional(),
});

export const inboundMessageSchema = z.looseObject({
  id: z.string().min(1),
  from: z.string().min(1),
  timestamp: unixSeconds,
  type: z.string().optional(),
  referral: z
    .looseObject({ source_id: z.string().optional(), source_type: z.string().optional(), ctwa_clid: z.string().optional() })
    .optional(),
});

export const metadataSchema = z.looseObject({
  phone_number_id: z.string().min(1),
  display_phone_number: z.string().optional(),
});

export const messagesValueSchema = z.looseObject({
  metadata: metadataSchema,
  statuses: z.array(statusSchema).optional(),
  messages: z.array(inboundMessageSchema).optional(),
});

export const callSchema = z.looseObject({
  id: z.string().min(1),
  event: z.string().min(1),
  timestamp: unixSeconds,
  from: z.string().optional(),
  to: z.string().optional(),
  direction: z.string().optional(),
  duration: z.number().nonnegative().optional(),
  start_time: unixSeconds.optional(),
});

export const callsValueSchema = z.looseObject({
  metadata: metadataSchema,
  calls: z.array(callSchema),
});

export const accountUpdateValueSchema = z.looseObject({ event: z.string().optional() });

export const changeSchema = z.looseObject({
  field: z.string().min(1),
  value: z.record(z.string(), z.unknown()),
});

export const envelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string().min(1),
      time: z.number().optional(),
      changes: z.array(changeSchema),
    }),
  ),
});

export type Envelope = z.infer<typeof envelopeSchema>;
export type StatusObject = z.infer<typeof statusSchema>;
export type InboundObject = z.infer<typeof inboundMessageSchema>;
export type CallObject = z.infer<typeof callSchema>;
