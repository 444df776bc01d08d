import { EmptyState, PageHeader } from '../components/ui';

export function loader() {
  throw new Response('Not found', { status: 404 });
}

export default function NotFound() {
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState title="There is nothing at this address." />
    </>
  );
}
