/** `GET /v1/invoices/:id/credit-notes/:creditNoteId/download`: a credit note's PDF, within the caller's tree. */
import { CommonErrors, errorResponses, Type, type RouteApp } from '@hostplane/sdk';
import type { CreditNoteDocuments } from '../services/credit-note-documents.js';
import type { InvoiceService } from '../services/invoices.js';
import { Uuid } from './schemas.js';

const Params = Type.Object({ id: Uuid, creditNoteId: Uuid }, { additionalProperties: false });

export function creditNoteRoutes(deps: { invoices: InvoiceService; creditNotes: CreditNoteDocuments }) {
  return (app: RouteApp): void => {
    app.get(
      '/:id/credit-notes/:creditNoteId/download',
      {
        config: { permission: 'billing.invoice.read' },
        schema: {
          summary: 'A credit note of the invoice as a PDF: rendered once when issued, the same bytes on every download',
          tags: ['invoices'],
          params: Params,
          response: {
            200: Type.String({ format: 'binary', description: 'application/pdf' }),
            ...errorResponses(400, 401, 403, 404, 503),
          },
        },
      },
      async (request, reply) => {
        if (!request.actor) throw CommonErrors.unauthenticated();
        // The invoice is read in the caller's scope: another tree's invoice (and so its notes) is a 404.
        const invoice = await deps.invoices.get(request.actor, request.params.id);
        const note = await deps.creditNotes.of(invoice, request.params.creditNoteId);
        const pdf = await deps.creditNotes.pdfOf(invoice, note);
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${note.number}.pdf"`)
          .send(pdf as unknown as string); // bytes: the schema documents them as a binary string
      },
    );
  };
}
