// kysely builds and type-checks the SQL; better-sqlite3 runs it synchronously. Splitting the two
// keeps every operation a plain synchronous transaction (no interleaving between awaits, no
// async overhead per statement) while queries stay typed against the schema.
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type Compilable,
  type CompiledQuery,
} from 'kysely';
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase } from './open.js';
import type { DB } from './schema.js';

export const qb = new Kysely<DB>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

type Statement = BetterSqlite3.Statement<unknown[]>;

/** Runs compiled queries on one connection, preparing each distinct SQL text once. */
export class QueryRunner {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: SqliteDatabase) {}

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<unknown[]>(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  all<R>(query: Compilable<R> | CompiledQuery<R>): R[] {
    const compiled = 'compile' in query ? query.compile() : query;
    return this.statement(compiled.sql).all(...(compiled.parameters as unknown[])) as R[];
  }

  first<R>(query: Compilable<R> | CompiledQuery<R>): R | undefined {
    const compiled = 'compile' in query ? query.compile() : query;
    return this.statement(compiled.sql).get(...(compiled.parameters as unknown[])) as R | undefined;
  }

  run(query: Compilable<unknown> | CompiledQuery<unknown>): number {
    const compiled = 'compile' in query ? query.compile() : query;
    return this.statement(compiled.sql).run(...(compiled.parameters as unknown[])).changes;
  }

  /** Raw SQL for what kysely does not express well (recursive CTEs, upserts with arithmetic). */
  sql<R>(sql: string, ...params: unknown[]): R[] {
    return this.statement(sql).all(...params) as R[];
  }

  sqlRun(sql: string, ...params: unknown[]): number {
    return this.statement(sql).run(...params).changes;
  }
}
