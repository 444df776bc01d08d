import type { Config } from '@react-router/dev/config';

// Server-rendered; the host (host/src/server/panel.ts) serves build/server and build/client.
export default {
  appDirectory: 'app',
  buildDirectory: 'build',
  ssr: true,
} satisfies Config;
