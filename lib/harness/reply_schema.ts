/**
 * Closed response schemas for workload replies, like Maelstrom's `defrpc`
 * (Prismatic Schema maps are closed): a success reply must carry exactly the
 * expected `type`, the workload's fields with the right value kinds, an
 * integer `in_reply_to` and optionally an integer `msg_id`. Anything else
 * makes the reply malformed, and the op is recorded as `info`.
 *
 * @module
 */

import { type Body, MalformedResponse } from "./types.ts";
import { isJsonInteger, jsonText } from "./json_values.ts";

/** What a reply field may hold: any JSON value (present, possibly null), an integer, an array. */
export type FieldKind = "any" | "integer" | "array";

/** A success reply's shape: its `type` and its own fields (all required). */
export interface ReplySchema {
  type: string;
  fields: Readonly<Record<string, FieldKind>>;
}

const ENVELOPE_FIELDS = new Set(["type", "msg_id", "in_reply_to"]);

/** The first way `body` breaks `schema`, or undefined when it conforms. */
export function replySchemaError(body: Body, schema: ReplySchema): string | undefined {
  if (body.type !== schema.type) {
    return `type is ${jsonText(body.type)}, expected ${jsonText(schema.type)}`;
  }
  if (!isJsonInteger(body.in_reply_to)) {
    return `in_reply_to must be an integer, got ${jsonText(body.in_reply_to)}`;
  }
  if ("msg_id" in body && !isJsonInteger(body.msg_id)) {
    return `msg_id must be an integer, got ${jsonText(body.msg_id)}`;
  }
  for (const [field, kind] of Object.entries(schema.fields)) {
    if (!(field in body)) return `missing required key ${jsonText(field)}`;
    const problem = kindError(body[field], kind);
    if (problem) return `${field} ${problem}`;
  }
  for (const key of Object.keys(body)) {
    if (!ENVELOPE_FIELDS.has(key) && !(key in schema.fields)) {
      return `unexpected key ${jsonText(key)}`;
    }
  }
  return undefined;
}

/** Throws MalformedResponse unless `body` conforms to `schema`; returns the body. */
export function checkReply(body: Body, schema: ReplySchema): Body {
  const problem = replySchemaError(body, schema);
  if (problem === undefined) return body;
  throw new MalformedResponse(
    `malformed RPC response: ${problem}; expected ${describe(schema)}, received ${jsonText(body)}`,
  );
}

function kindError(value: unknown, kind: FieldKind): string | undefined {
  switch (kind) {
    case "any":
      return value === undefined ? "is missing" : undefined;
    case "integer":
      return isJsonInteger(value) ? undefined : `must be an integer, got ${jsonText(value)}`;
    case "array":
      return Array.isArray(value) ? undefined : `must be an array, got ${jsonText(value)}`;
  }
}

function describe(schema: ReplySchema): string {
  const fields = Object.entries(schema.fields).map(([field, kind]) => `${field}: ${kind}`);
  return `{type: ${jsonText(schema.type)}, ${
    [...fields, "in_reply_to: integer", "msg_id?: integer"].join(", ")
  }}`;
}
