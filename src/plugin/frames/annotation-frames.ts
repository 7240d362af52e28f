import { createDataFrame, FieldType, type DataFrame } from '@grafana/data';

export interface AnnotationEvent {
  time: number;
  title: string;
  text: string;
  tags: string[];
}

/** Annotation events in the frame Grafana reads them from: time, title, text and tags fields. */
export function buildAnnotationFrame(refId: string, events: readonly AnnotationEvent[]): DataFrame {
  return createDataFrame({
    refId,
    name: 'waspend events',
    fields: [
      { name: 'time', type: FieldType.time, values: events.map((e) => e.time) },
      { name: 'title', type: FieldType.string, values: events.map((e) => e.title) },
      { name: 'text', type: FieldType.string, values: events.map((e) => e.text) },
      { name: 'tags', type: FieldType.other, values: events.map((e) => e.tags) },
    ],
  });
}
