/*
 * Pieces shared by the shipped data-move scripts (bash run inside the stock postgres image).
 * Not part of the jsii API: the cloud layers embed the script text in their own resources.
 */

/** One environment variable a shipped script reads. */
export interface ScriptVariable {
  /** The variable's name. */
  readonly name: string;
  /** Whether the script refuses to start without it. */
  readonly required: boolean;
  /** Whether it holds a credential (pass it from the secret store, never inline). */
  readonly secret: boolean;
  /** The value used when it is unset or empty. */
  readonly defaultValue?: string;
  /** What it holds. */
  readonly description: string;
}

/**
 * psql session settings that make a row's text form the same on every server, so a
 * checksum computed on two servers agrees exactly when the rows do.
 */
export const STABLE_TEXT_SETTINGS_SQL = [
  "set datestyle = 'ISO, YMD';",
  "set intervalstyle = 'postgres';",
  "set timezone = 'UTC';",
  // 3: exact on every version (12+ prints the shortest exact form for any value above 0).
  'set extra_float_digits = 3;',
  "set bytea_output = 'hex';",
  "set lc_monetary = 'C';",
].join('\n');

/**
 * The select list that turns a subquery of row hashes (one text column `h`, each row's md5,
 * collated "C") into `count, checksum`: hashes sorted byte-wise, so neither the order rows
 * come back in nor the server's collation matters, and an empty set has a checksum too.
 */
export const ROW_SET_CHECKSUM_SQL = "count(*), coalesce(md5(string_agg(h, '' order by h)), md5(''))";

/** The same settings as libpq connection options (`PGOPTIONS`), for sessions that copy rows as text too. */
export const STABLE_TEXT_PGOPTIONS = '-c datestyle=ISO,YMD -c intervalstyle=postgres -c timezone=UTC -c extra_float_digits=3 -c bytea_output=hex -c lc_monetary=C';
