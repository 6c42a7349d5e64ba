export default function Convoys() {
  return <h1 id="convoys">Convoys</h1>;
}
