/**
 * The stand-in's hosted pages: a tiny Checkout page (pay an amount or save a card by typing a
 * test card number) and a 3-D Secure page (complete or fail the authentication), as plain HTML
 * forms so a browser test needs no JavaScript.
 */
import type { StripeObject } from './ledger.js';

const escape = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function formatAmount(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() });
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
label,input,button{display:block;width:100%;margin:.5rem 0;font-size:1rem}input,button{padding:.6rem}
.error{color:#b00020}.muted{color:#555}</style></head>
<body><p class="muted">Stripe stand-in (test mode)</p>${body}</body></html>`;
}

export function checkoutPage(session: StripeObject, error?: string): string {
  const items = (session.line_items_summary as Array<{ description: string; amount_total: number; quantity: number }>) ?? [];
  const paying = session.mode === 'payment';
  const title = paying ? `Pay ${formatAmount(session.amount_total as number, session.currency as string)}` : 'Save a card';
  if (session.status !== 'open')
    return page(title, `<h1>${escape(title)}</h1><p>This checkout session is ${escape(String(session.status))}.</p>`);
  const lines = items
    .map(
      (i) =>
        `<li>${escape(i.description)} × ${i.quantity}: ${escape(formatAmount(i.amount_total, session.currency as string))}</li>`,
    )
    .join('');
  const cancel = session.cancel_url ? `<p><a href="${escape(String(session.cancel_url))}">Cancel</a></p>` : '';
  return page(
    title,
    `<h1>${escape(title)}</h1>${lines ? `<ul>${lines}</ul>` : ''}
${error ? `<p class="error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/checkout/${escape(session.id)}">
<label for="card">Card number</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="4242 4242 4242 4242" required>
<button type="submit">${paying ? 'Pay' : 'Save card'}</button>
</form>${cancel}`,
  );
}

export function threeDSecurePage(action: string, amount: string, hidden: Record<string, string> = {}): string {
  const fields = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${escape(k)}" value="${escape(v)}">`)
    .join('');
  return page(
    '3-D Secure',
    `<h1>Authenticate your payment</h1><p>Your bank asks you to confirm ${escape(amount)}.</p>
<form method="post" action="${escape(action)}"><input type="hidden" name="result" value="complete">${fields}
<button type="submit">Complete authentication</button></form>
<form method="post" action="${escape(action)}"><input type="hidden" name="result" value="fail">${fields}
<button type="submit">Fail authentication</button></form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<h1>${escape(title)}</h1><p>${escape(message)}</p>`);
}
