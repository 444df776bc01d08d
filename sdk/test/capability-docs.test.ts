import { readFileSync } from 'node:fs';
import t from 'tap';
import { DOC_PATH, END, readCapabilityModel, renderCapabilityDocs, replaceBlock, START } from '../scripts/capability-docs.js';

t.test('the capability tables in docs/plugins.md are the ones the SDK source gives (npm run docs:sdk)', async (t) => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const block = doc.slice(doc.indexOf(START) + START.length, doc.indexOf(END)).trim();
  t.equal(
    block,
    await renderCapabilityDocs(),
    'run `npm run docs:sdk` after changing KernelCapability, SetupContext or coreServices',
  );
});

t.test('the model reads every capability, what needs it, and the free services', async (t) => {
  const model = readCapabilityModel();
  const row = (name: string) => model.capabilities.find((c) => c.capability === name);
  t.same(row('jobs')?.gives, ['`ctx.job(...)`', '`coreServices.jobs`', '`coreServices.jobStatus`']);
  t.same(row('events:subscribe')?.gives, ['`ctx.on(...)`', '`ctx.before(...)`']);
  t.same(row('users')?.gives, ['`coreServices.users`']);
  for (const c of model.capabilities) {
    t.ok(c.summary.length > 0, `${c.capability} has a summary`);
    if (!c.capability.includes('<')) t.ok(c.gives.length > 0, `${c.capability} gives something`);
  }
  t.same(
    model.free.map((f) => f.ref),
    ['`coreServices.logger`', '`coreServices.clock`', '`coreServices.tenancy`', '`coreServices.extensions`'],
  );
});

t.test('a changed table is noticed, and a document without markers is refused', async (t) => {
  const doc = readFileSync(DOC_PATH, 'utf8');
  const edited = doc.replace('| `mailer`', '| `mail`');
  t.not(replaceBlock(edited, await renderCapabilityDocs()), edited, 'regenerating undoes a hand edit');
  t.equal(replaceBlock(doc, await renderCapabilityDocs()), doc);
  t.throws(() => replaceBlock('# no markers', 'x'), /has no/);
});
