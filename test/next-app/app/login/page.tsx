export default function Login() {
  return <h1 id="login">Sign in</h1>;
}
