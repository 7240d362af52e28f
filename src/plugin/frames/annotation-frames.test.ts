import { buildAnnotationFrame } from './annotation-frames';

describe('buildAnnotationFrame', () => {
  test('time, title, text and tags fields, as Grafana reads annotation events', () => {
    const frame = buildAnnotationFrame('N', [
      { time: 1, title: 'Rate card', text: 'USD card from 2026-10-01', tags: ['waspend', 'rates'] },
      { time: 2, title: 'Tier', text: 'India utility tier 2', tags: [] },
    ]);
    expect([frame.refId, frame.name]).toEqual(['N', 'waspend events']);
    expect(frame.fields.map((f) => [f.name, f.type, [...f.values]])).toEqual([
      ['time', 'time', [1, 2]],
      ['title', 'string', ['Rate card', 'Tier']],
      ['text', 'string', ['USD card from 2026-10-01', 'India utility tier 2']],
      ['tags', 'other', [['waspend', 'rates'], []]],
    ]);
  });
});
