import { PageHeader } from '../components/ui';

export default function Page() {
  return <PageHeader title="Coming soon" />;
}
