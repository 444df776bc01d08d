/** Every auth mail template renders its sample, and its links carry the token the flows read. */
import { renderTemplate } from '@hostplane/core';
import t from 'tap';
import { authMails, tokenLink, verificationMail } from '../src/services/mails.js';

const brand = { issuer: 'platform', name: 'Hostplane', logoUrl: null, color: '#1d4ed8', replyTo: null };

t.test('each template renders its sample as text and HTML', async (t) => {
  t.same(
    authMails.map((m) => m.id),
    ['auth.verify-email', 'auth.already-registered', 'auth.reset-password', 'auth.forced-reset', 'auth.welcome'],
  );
  for (const template of authMails) {
    const mail = renderTemplate(template, template.sample, brand);
    t.ok(mail.subject.length > 0, `${template.id} has a subject`);
    t.match(mail.text, /^Hello,/, `${template.id} text`);
    t.match(mail.html, /<a href="https:\/\/panel\.example\.com\//, `${template.id} links to the panel`);
  }
});

t.test('the token sits in the link, encoded, in both bodies', async (t) => {
  const url = tokenLink('https://panel.example.com/', '/verify-email', 'a b&c');
  t.equal(url, 'https://panel.example.com/verify-email?token=a%20b%26c');
  const mail = renderTemplate(verificationMail, { url }, brand);
  t.match(mail.text, url);
  t.match(mail.html, `href="${url}"`);
});
