/** The two pages NGINX answers itself: no site here (404), and a suspended site (503). No user data in either. */

const page = (title: string, text: string): string =>
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
  `<title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}` +
  `h1{font-size:1.5rem}</style></head><body><h1>${title}</h1><p>${text}</p></body></html>\n`;

export const NOT_FOUND_PAGE = page('No website here', 'This server does not host a website at this address.');

export const SUSPENDED_PAGE = page(
  'Website suspended',
  'This website is temporarily unavailable because it has been suspended. If it is yours, please contact your hosting provider.',
);

/** First content of a new static site; replaced by the owner's files. */
export const PLACEHOLDER_PAGE = page('It works', 'This website is ready. Upload your files to replace this page.');
