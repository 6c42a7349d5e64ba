import { CreateTownForm } from '../../../components/create-town-form';

export default function NewTown() {
  return (
    <>
      <h1>Create a town</h1>
      <div className="card">
        <CreateTownForm />
      </div>
    </>
  );
}
