/** The mail this plugin sends: declared once, listed for admins, rendered with any issuer's brand. */
import { defineMailTemplate, Type } from '@hostplane/sdk';

export const bannerReadyMail = defineMailTemplate({
  id: 'hello.banner-ready',
  description: 'Sent to whoever stored a greeting once the delivery job has drawn its banner',
  variables: Type.Object({ text: Type.String({ maxLength: 120 }), banner: Type.String({ maxLength: 2000 }) }),
  sample: { text: 'Hello, Ada!', banner: '***************\n* Hello, Ada! *\n***************' },
  // Plain strings only: the kernel escapes them and wraps them in the sender's branding.
  render: ({ text, banner }, brand) => ({
    subject: `Your greeting is ready: ${text}`,
    blocks: [banner, `Drawn for you by the hello plugin at ${brand.name}.`],
  }),
});
