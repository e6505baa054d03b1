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

const StampedFieldName = Type.KeyOf(FieldStampsSchema);

/**
 * The parts a push edits: stamped afresh even where the server already holds the value (it
 * lost the one the edit replaced, and a machine that still has that one must not bring it
 * back over the edit).
 */
const FreshPartsSchema = Type.Object(
  {
    fields: Type.Optional(
      Type.Array(StampedFieldName, {
        maxItems: Object.keys(FieldStampsSchema.properties).length,
        uniqueItems: true,
      }),
    ),
    tags: Type.Optional(
      Type.Array(Type.String({ maxLength: LIMITS.tag }), {
        maxItems: MAX_TAG_STAMPS,
        uniqueItems: true,
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Stamps a push sends: those of the parts it did not edit (kept where later than the server's:
 * it restores them) and the parts it did edit (`fresh`); any may be left out.
 */
export const PushStampsSchema = Type.Object({
  fields: Type.Optional(FieldStampsSchema),
  tags: Type.Optional(TagStampsSchema),
  live: Type.Optional(stamp()),
  fresh: Type.Optional(FreshPartsSchema),
});
export type PushStamps = Static<typeof PushStampsSchema>;
export type FreshParts = Static<typeof FreshPartsSchema>;
