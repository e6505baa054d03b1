/**
 * Record stamps on the wire (see stamps.ts): when each part of a record was last set, on the
 * server's clock, in microseconds since 1970. Absent from an older work-prod's records.
 */
import type { Static } from 'typebox';
import * as Type from 'typebox/type';
import { LIMITS } from '../vocabulary.js';

const stamp = () => Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });

/** The most tag stamps a record keeps: its tags, and as many of those it had removed. */
export const MAX_TAG_STAMPS = 2 * LIMITS.tags;

const FieldStampsSchema = Type.Object(
  {
    name: Type.Optional(stamp()),
    description: Type.Optional(stamp()),
    remote_url: Type.Optional(stamp()),
    project_type: Type.Optional(stamp()),
    status: Type.Optional(stamp()),
    classification: Type.Optional(stamp()),
    organization: Type.Optional(stamp()),
    template: Type.Optional(stamp()),
    template_version: Type.Optional(stamp()),
  },
  { additionalProperties: false },
);

const TagStampsSchema = Type.Record(Type.String({ maxLength: LIMITS.tag }), stamp(), {
  maxProperties: MAX_TAG_STAMPS,
});

/** A record's stamps: per stamped field, per tag (membership), and `live`. */
export const RecordStampsSchema = Type.Object({
  fields: FieldStampsSchema,
  tags: TagStampsSchema,
  live: stamp(),
});
export type RecordStamps = Static<typeof RecordStampsSchema>;

/** Stamps a push sends for the parts it restores; any part may be left out. */
export const PushStampsSchema = Type.Object({
  fields: Type.Optional(FieldStampsSchema),
  tags: Type.Optional(TagStampsSchema),
  live: Type.Optional(stamp()),
});
export type PushStamps = Static<typeof PushStampsSchema>;
