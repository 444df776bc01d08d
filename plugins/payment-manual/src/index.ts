/**
 * payment-manual: bank transfer behind the `payment-gateway` extension point. Wiring only: the
 * gateway lives in gateway.ts.
 */
import { coreServices, definePlugin, extensionPoints } from '@hostplane/sdk';
import { ManualGateway } from './gateway.js';

export { ManualGateway } from './gateway.js';

export default definePlugin({
  id: 'payment-manual',
  sdk: '^0.1.0',
  provides: ['payment-gateway'],
  permissions: ['db'],
  deps: { db: coreServices.database },
  migrations: new URL('../migrations/', import.meta.url),
  setup(ctx) {
    const { db } = ctx.deps;
    ctx.extend(extensionPoints.paymentGateway, new ManualGateway(db.knex, db.schema));
  },
});
