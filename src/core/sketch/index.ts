export { Hll } from './hll';
export { murmur32 } from './hash';
export { base64ToBytes, bytesToBase64 } from './base64';
