import { serverCaller } from '../../lib/trpc/server';

export default async function Towns() {
  const towns = await (await serverCaller()).listTowns();
  return (
    <>
      <h1>Your towns</h1>
      <div className="card">
        {towns.length === 0 ? (
          <p className="muted">No towns yet.</p>
        ) : (
          <table data-testid="towns">
            <thead>
              <tr>
                <th>town</th>
                <th>rigs</th>
                <th>merge</th>
                <th>containers</th>
              </tr>
            </thead>
            <tbody>
              {towns.map((town) => (
                <tr key={town.id}>
                  <td>
                    <a href={`/gastown/towns/${town.id}`}>{town.name}</a>
                  </td>
                  <td>{town.rigs.length}</td>
                  <td>{town.mergeStrategy}</td>
                  <td>{town.containers.length}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <a href="/gastown/new">Create a town</a>
        </p>
      </div>
    </>
  );
}
