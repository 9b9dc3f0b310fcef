/**
 * A request the offline map source cannot serve because of what it asked for (bad size, unknown
 * centre, malformed time...). `code` is the AMP-style error code the server answers with, and
 * `field` names the offending request field. Messages never contain credentials.
 */
export class MapRequestError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string) {
    super(message);
    this.name = 'MapRequestError';
    this.code = code;
    this.field = field;
  }
}
