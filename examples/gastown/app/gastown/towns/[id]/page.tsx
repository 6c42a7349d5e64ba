import { TRPCError } from '@trpc/server';
import { notFound } from 'next/navigation';
import { TownView } from '../../../../components/town-view';
import { serverCaller } from '../../../../lib/trpc/server';

export default async function TownPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const town = await (await serverCaller()).town({ townId: id }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === 'NOT_FOUND') notFound();
    throw error;
  });
  return <TownView town={town} />;
}
