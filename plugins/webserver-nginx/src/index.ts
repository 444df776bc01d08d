/**
 * webserver-nginx: the `webserver` extension point on NGINX with one PHP-FPM pool per site.
 */
import { definePlugin } from '@hostplane/sdk';

export default definePlugin({
  id: 'webserver-nginx',
  sdk: '^0.1.0',
  provides: ['webserver'],
  permissions: ['exec:nginx', 'exec:php-fpm', 'exec:node', 'fs:/srv/www', 'settings'],
});
