import t from 'tap';
import { loadConfig } from '../src/config.js';

t.test(
  'HOSTPLANE_SMTP_URL and HOSTPLANE_MAIL_FROM turn on SMTP delivery; without the URL mail stays in the outbox',
  async (t) => {
    t.equal(loadConfig({}, '/tmp').mail, undefined);
    t.same(
      loadConfig(
        {
          HOSTPLANE_SMTP_URL: 'smtps://u:p@mail.example.com:465',
          HOSTPLANE_MAIL_FROM: 'billing@example.com',
          HOSTPLANE_MAIL_FROM_NAME: 'Acme',
        },
        '/tmp',
      ).mail,
      { smtpUrl: 'smtps://u:p@mail.example.com:465', from: 'billing@example.com', fromName: 'Acme' },
    );
    for (const env of [
      { HOSTPLANE_SMTP_URL: 'mail.example.com' },
      { HOSTPLANE_SMTP_URL: 'http://mail.example.com' },
      { HOSTPLANE_SMTP_URL: 'smtp://mail.example.com', HOSTPLANE_MAIL_FROM: 'Billing <billing@example.com>' },
    ]) {
      t.throws(
        () => loadConfig(env, '/tmp'),
        { code: 'HOST_ERR_CONFIG_INVALID', message: /HOSTPLANE_(SMTP_URL|MAIL_FROM)/ },
        JSON.stringify(env),
      );
    }
  },
);
