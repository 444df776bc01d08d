// One small JSON route, the same package for both contestants of bench/isolation.ts.
import { definePlugin } from '@hostplane/sdk';

export default definePlugin({
  id: 'bench-iso',
  sdk: '^0.1.0',
  permissions: ['http:routes'],
  setup(ctx) {
    ctx.routes((app) => {
      app.get('/', { config: { public: true } }, async () => ({ ok: true }));
      app.get('/pid', { config: { public: true } }, async () => ({ pid: process.pid }));
    });
  },
});
