/** `/v1/billing/revenue`: a seller's revenue figures from its customers (services/revenue.ts). */
import { CommonErrors, errorResponses, Type, type ClockService, type RouteApp } from '@hostplane/sdk';
import type { RevenueService } from '../services/revenue.js';
import { dateOf } from '../services/periods.js';

const Minor = (description: string) => Type.Integer({ description: `${description} (minor units)` });

const RevenueSchema = Type.Object({
  currency: Type.String(),
  currencies: Type.Array(Type.String(), { description: 'Currencies you have invoiced in, most used first' }),
  month: Type.String({ description: 'This month, YYYY-MM (UTC)' }),
  invoicedThisMonth: Minor('Total of invoices issued this month, void ones left out'),
  paidThisMonth: Minor('Payments received this month'),
  overdue: Minor('Left to pay on invoices past their due date'),
  monthlyRecurring: Minor('Active subscriptions’ prices per month (yearly: a twelfth)'),
  items: Type.Array(
    Type.Object({
      month: Type.String(),
      invoiced: Type.Integer(),
      paid: Type.Integer(),
      invoicedMajor: Type.Number({ description: 'invoiced in major units (euros), for charts' }),
      paidMajor: Type.Number(),
    }),
    { description: 'The last months, oldest first' },
  ),
});

const Query = Type.Object(
  {
    currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217; default: your most used' })),
    months: Type.Integer({ minimum: 1, maximum: 36, default: 12 }),
  },
  { additionalProperties: false },
);

export function revenueRoutes(deps: { revenue: RevenueService; clock: ClockService }) {
  const { revenue, clock } = deps;
  return (app: RouteApp): void => {
    app.get(
      '/revenue',
      {
        config: { permission: 'billing.revenue.read' },
        schema: {
          summary: 'Your revenue from your customers: this month, overdue, monthly recurring, and by month',
          tags: ['billing'],
          querystring: Query,
          response: { 200: RevenueSchema, ...errorResponses(400, 401, 403) },
        },
      },
      async (request) => {
        if (!request.actor) throw CommonErrors.unauthenticated();
        const { currency, months } = request.query;
        return revenue.of(request.actor, dateOf(clock.now()), currency, months);
      },
    );
  };
}
