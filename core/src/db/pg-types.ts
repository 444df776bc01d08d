/**
 * Value parsing for our connections. Given to each pg client (not set globally on `pg.types`)
 * so another library in the same process changing the global parsers cannot change what the
 * kernel reads.
 */
import pg from 'pg';

/** OIDs from PostgreSQL's `pg_type` catalogue. */
const INT8 = 20;
const TIMESTAMPTZ = 1184;

const identity = (value: string): string => value;
// pg's own timestamptz parser (postgres-date) handles offsets, BC dates and infinity; captured
// now so a later global override does not leak into kernel connections.
const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ, 'text');

/**
 * Type parsers for kernel connections: `bigint` as string (ids and counters may exceed 2^53;
 * a rounded id is a wrong id) and `timestamptz` as `Date`. Everything else keeps pg's default.
 */
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format !== 'binary') {
      if (oid === INT8) return identity;
      if (oid === TIMESTAMPTZ) return parseTimestamptz;
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};
