// Which actions and downloads a plugin page offers: the caller's permission and the resource's state.
import t from 'tap';
import { conditionsHold, offered } from '../app/lib/conditions.js';

const invoice = { status: 'unpaid', amountDue: 500, allowed: { pay: ['manual', 'stripe'], void: false }, note: null };

t.test('conditions test a field against a list, an array field by its items', async (t) => {
  const cases: Array<[string, Parameters<typeof conditionsHold>[0], boolean]> = [
    ['no conditions', undefined, true],
    ['status is one of', [{ field: 'status', in: ['unpaid', 'overdue'] }], true],
    ['status is none of', [{ field: 'status', in: ['paid'] }], false],
    ['an array field holds the value', [{ field: 'allowed.pay', in: ['stripe'] }], true],
    ['an array field lacks it', [{ field: 'allowed.pay', in: ['paypal'] }], false],
    ['a boolean', [{ field: 'allowed.void', in: [true] }], false],
    ['null matches null', [{ field: 'note', in: [null] }], true],
    ['a missing field reads as null', [{ field: 'nope', in: [null] }], true],
    ['a missing field is not a value', [{ field: 'nope', in: ['x'] }], false],
    ['numbers are not strings', [{ field: 'amountDue', in: ['500'] }], false],
    [
      'all must hold',
      [
        { field: 'status', in: ['unpaid'] },
        { field: 'allowed.void', in: [true] },
      ],
      false,
    ],
  ];
  for (const [name, conditions, expected] of cases) t.equal(conditionsHold(conditions, invoice), expected, name);
});

t.test('an action needs its permission as well', async (t) => {
  const pay = { permission: 'billing.invoice.pay', when: [{ field: 'allowed.pay', in: ['stripe'] }] };
  t.equal(offered(pay, invoice, ['billing.invoice.pay']), true);
  t.equal(offered(pay, invoice, ['billing.invoice.read']), false, 'without the permission');
  t.equal(offered(pay, { ...invoice, allowed: { pay: [] } }, ['billing.invoice.pay']), false, 'nothing to pay');
  t.equal(offered({}, invoice, []), true, 'neither: always');
});

t.test('a row of an array field takes what it lacks from the resource it belongs to', async (t) => {
  const draft = { id: 'inv-1', status: 'draft', allowed: { edit: true } };
  const line = { id: 'line-1', description: 'Migration', status: 'kept' };
  const remove = { permission: 'billing.invoice.manage', when: [{ field: 'allowed.edit', in: [true] }] };
  t.equal(offered(remove, line, ['billing.invoice.manage'], draft), true, "the invoice's allowed.edit, on its line");
  t.equal(offered(remove, line, ['billing.invoice.manage'], { ...draft, allowed: { edit: false } }), false, 'issued: not');
  t.equal(offered(remove, line, ['billing.invoice.manage']), false, 'no resource: the row alone decides');
  t.equal(conditionsHold([{ field: 'status', in: ['kept'] }], line, draft), true, 'the row’s own field wins');
});
