/**
 * The build log streamed live (`GET …/deployments/:deploymentId/log`, server-sent events) on
 * the real stack: while a build runs, its output arrives in pieces as it is written, the steps
 * as `status` events, and the stream ends with the final status; put together, the pieces are
 * the log the deployment keeps. A finished deployment's stream is its log and its end at once.
 */
import t from 'tap';
import { finished, startStack, stackMissing } from './stack.js';

interface Frame {
  event: string;
  data: Record<string, unknown>;
}

/** The events of an SSE body (comments and `retry:` lines left out). */
function framesOf(body: string): Frame[] {
  return body
    .split('\n\n')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
      const data = lines
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return event ? { event, data: JSON.parse(data) as Record<string, unknown> } : null;
    })
    .filter((f): f is Frame => f !== null);
}

const missing = stackMissing();
if (missing) {
  t.plan(0, `real nginx: ${missing}`);
} else {
  t.setTimeout(300_000);
  const stack = await startStack(t);
  const own = stack.caller(stack.trees.customerA);
  const headers = stack.host.headersFor('customer', { userId: stack.trees.customerA.id });
  const site = await stack.site('own');
  const repo = await stack.repo(site.dir);
  const base = `/v1/websites/${site.id}/deployments`;
  const stream = (id: string) => stack.host.inject({ method: 'GET', url: `${base}/${id}/log`, headers });

  t.test('a running build’s output arrives piece by piece, then the end', async (t) => {
    await repo.commit({ 'index.html': 'streamed' });
    const put = await own.call('PUT', `${base}/connection`, {
      repositoryUrl: repo.url,
      branch: 'main',
      // Three seconds apart: the runner writes the log every second, the stream reads it twice as often.
      buildCommand: 'echo first-step && sleep 3 && echo second-step && sleep 2',
    });
    t.equal(put.status, 200, JSON.stringify(put.body));
    const queued = await own.post(base);
    t.equal(queued.status, 202);
    const id = queued.body.id as string;
    const res = await stream(id);
    t.equal(res.statusCode, 200);
    t.match(res.headers['content-type'], /^text\/event-stream/);
    t.equal(res.headers['cache-control'], 'no-store');
    const frames = framesOf(res.body);
    t.equal(frames[0]?.event, 'snapshot', 'a snapshot first');
    const appends = frames.filter((f) => f.event === 'append').map((f) => String(f.data.text));
    // The output lines (the command line itself, echoed in the log, names both).
    const first = appends.findIndex((a) => /^first-step$/m.test(a));
    const second = appends.findIndex((a) => /^second-step$/m.test(a));
    t.ok(first >= 0 && second > first, `the two steps arrive in separate pieces, in order: ${JSON.stringify(appends)}`);
    t.ok(
      frames.some((f) => f.event === 'status' && String(f.data.phase).startsWith('building')),
      'the build step is announced',
    );
    const last = frames.at(-1);
    t.equal(last?.event, 'end');
    t.equal(last?.data.status, 'succeeded');
    const kept = await finished(own, site.id, id);
    t.equal(String(frames[0]?.data.text) + appends.join(''), kept.log, 'the pieces make up the kept log');
  });

  t.test('a finished deployment’s stream is its whole log and its end', async (t) => {
    const [done] = (await own.get(base)).body.items as Array<{ id: string }>;
    const res = await stream(done!.id);
    const frames = framesOf(res.body);
    t.same(
      frames.map((f) => f.event),
      ['snapshot', 'end'],
    );
    t.match(String(frames[0]?.data.text), 'second-step');
  });

  t.test('bad and foreign ids', async (t) => {
    t.equal((await stream('not-a-uuid')).statusCode, 400);
    t.equal((await stream('00000000-0000-4000-8000-000000000000')).statusCode, 404);
    const foreign = await stack.site('foreign');
    const res = await stack.host.inject({
      method: 'GET',
      url: `/v1/websites/${foreign.id}/deployments/00000000-0000-4000-8000-000000000000/log`,
      headers,
    });
    t.equal(res.statusCode, 404);
  });
}
