/**
 * `T | null` for primitive schemas, written `type: [T, 'null']` instead of TypeBox's
 * `anyOf`: fast-json-stringify serializes a type list directly, but runs a validator on every
 * value for an `anyOf`. @fastify/swagger turns either form into OpenAPI 3.0's `nullable`.
 */
import { Type, type Static, type TBoolean, type TInteger, type TNumber, type TString, type TUnsafe } from '@sinclair/typebox';

type Primitive = TString | TNumber | TInteger | TBoolean;

/** `schema` or null. */
export function Nullable<T extends Primitive>(schema: T): TUnsafe<Static<T> | null> {
  const { type, ...rest } = schema as T & { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'] });
}
