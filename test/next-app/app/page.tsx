export default function Home() {
  return <h1 id="home">Home</h1>;
}
