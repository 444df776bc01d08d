/**
 * Job workers that are alive, so jobs of dead ones are freed in seconds rather than graphile's
 * four hours. Each row names one graphile worker (`locked_by` of the jobs it runs) and the
 * advisory lock its process holds while it lives (`pg_advisory_lock(<namespace>, engine_key)`);
 * PostgreSQL drops that lock with the process's connection, which is how the others know.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create table hostplane.job_workers (
    worker_id text primary key,
    engine_key integer not null check (engine_key > 0),
    hostname text not null,
    pid integer not null,
    started_at timestamptz not null default now()
  )`);
  await knex.raw('create index job_workers_engine_key_idx on hostplane.job_workers (engine_key)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table hostplane.job_workers');
}
