import { Hll } from '@core';

// Day sketches are stored as core's base64 text. Node's codec reads and writes that same text several
// times faster than core's portable one: ingest rewrites every sketch a commit group touches, and a
// 90-day contacts panel reads ~1,800 of them. A text that is not base64 decodes to bytes the sketch
// checks refuse (version, size, ranks), as core's decoder would refuse it.

/** The bytes of a stored day sketch, unchecked: for `Hll.mergeBytes`, which checks them as it folds them in. */
export const sketchBytesOfText = (text: string): Uint8Array => Buffer.from(text, 'base64');

/** A stored day sketch read back. */
export const sketchOfText = (text: string): Hll => Hll.fromBytes(sketchBytesOfText(text));

/** A day sketch as stored: exactly `hll.toBase64()`. */
export function textOfSketch(hll: Hll): string {
  const bytes = hll.toBytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
