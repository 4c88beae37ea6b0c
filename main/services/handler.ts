import type { z } from 'zod';
import type { OperationName, Operations } from '../contract/operations.js';
import type { Tx } from '../db/tx.js';

/** A handler gets the validated input and the transaction; it returns the output or throws DomainError. */
export type Handler<N extends OperationName> = (
  tx: Tx,
  input: z.output<Operations[N]['input']>,
) => z.input<Operations[N]['output']>;

export type Handlers<N extends OperationName> = { [K in N]: Handler<K> };
