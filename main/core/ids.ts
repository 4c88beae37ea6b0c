import { v7 as uuidv7 } from 'uuid';

/** Time-ordered UUIDv7, made locally so rows can be created offline and merged at HQ. */
export function newId(): string {
  return uuidv7();
}
