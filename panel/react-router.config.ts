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

} satisfies Config;
