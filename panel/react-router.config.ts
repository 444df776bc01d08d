import type { Config } from '@react-router/dev/config';

// Server-rendered; the host (host/src/server/panel.ts) serves build/server and build/client.
export default {
  appDirectory: 'app',
  buildDirectory: 'build',
  ssr: true,
  // React Router refuses an action whose Origin is not the page's own with a bare "Bad Request",
  // `Origin: null` included; but Chromium sends exactly that with every plain form post under the
  // host's `Referrer-Policy: no-referrer`, so no form worked without JavaScript. A hidden origin
  // is let through to the panel, whose readForm (app/lib/api.server.ts) then requires the form
  // token instead; a foreign origin stays refused here and there.
  allowedActionOrigins: ['null'],
  // Every React Router v8 change stays off until the panel moves to v8 (which needs Node 22, see
  // DESIGN.md). Stated, not left undefined, so each build does not warn about all five.
  future: {
    v8_middleware: false,
    v8_splitRouteModules: false,
    v8_viteEnvironmentApi: false,
    v8_passThroughRequests: false,
    v8_trailingSlashAwareDataRequests: false,
  },
} satisfies Config;
