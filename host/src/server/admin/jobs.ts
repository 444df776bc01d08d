/** Admin API for durable jobs: list with filters, inspect, retry. */
import { CommonErrors } from '@hostplane/sdk';
import type { KernelApi } from '@hostplane/core';
import type { HostApp } from '../types.js';
import { JobIdParams, JobInfoSchema, JobListQuery, errorResponses, listOf } from './schemas.js';

const tags = ['jobs'];

/** Register the job routes on a scope prefixed `/v1`. */
export function registerJobAdminRoutes(app: HostApp, kernel: KernelApi): void {
  app.get(
    '/jobs',
    {
      config: { permission: 'platform.jobs.read' },
      schema: {
        tags,
        summary: 'List jobs, newest first',
        querystring: JobListQuery,
        response: { 200: listOf(JobInfoSchema), ...errorResponses(400) },
      },
    },
    async (request) => {
      const { state, name, limit, offset } = request.query;
      return { items: await kernel.jobs.list({ state, name, limit, offset }) };
    },
  );

  app.get(
    '/jobs/:id',
    {
      config: { permission: 'platform.jobs.read' },
      schema: {
        tags,
        summary: 'One job with its progress and last error',
        params: JobIdParams,
        response: { 200: JobInfoSchema, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const job = await kernel.jobs.get(request.params.id);
      if (!job) throw CommonErrors.notFound(`job "${request.params.id}"`);
      return job;
    },
  );

  app.post(
    '/jobs/:id/retry',
    {
      config: { permission: 'platform.jobs.manage', audit: 'platform.job.retried' },
      schema: {
        tags,
        summary: 'Run a dead or retrying job again now',
        params: JobIdParams,
        response: { 200: JobInfoSchema, ...errorResponses(400, 404, 409) },
      },
    },
    async (request) => kernel.jobs.retry(request.params.id),
  );
}
