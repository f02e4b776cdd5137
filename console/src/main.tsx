import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, forgetKey, type Problem, storedKey, storeKey, type Who } from './api';
import { LiveView } from './live-view';
import { forgetObjects } from './names';
import { RatesView } from './rates-view';
import { ProblemBox, ResourceView } from './resource-view';
import { screens } from './resources';
import { RoutingView } from './routing-view';

/**
 * The screen the hash names (`#/routes`); the hash holds only the screen, never the key. Any
 * other hash (the skip link's `#main`) names no screen: `current` stays.
 */
const screenOf = (current = 'customers') =>
  location.hash.startsWith('#/') ? location.hash.slice(2) || 'customers' : current;

function SignIn({ onSignedIn }: { onSignedIn: (who: Who) => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const submit = async (event: Event) => {
    event.preventDefault();
    const a = await call<Who>('GET', '/v1/whoami', undefined, key.trim());
    if (!a.ok) {
      setProblem(a.problem);
      return;
    }
    storeKey(key.trim());
    onSignedIn(a.body);
  };
  return (
    <main id="main" class="sign-in">
      <h1>Tandem console</h1>
      <form onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="api-key">API key</label>
          <input
            id="api-key"
            type="password"
            autocomplete="off"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            required
          />
          <small class="muted">
            The operator key or a customer key; kept in this tab only (session storage).
          </small>
        </div>
        {problem && <ProblemBox problem={problem} />}
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </main>
  );
}

function App() {
  const [who, setWho] = useState<Who | null>(null);
  const [checked, setChecked] = useState(false);
  const [screen, setScreen] = useState(screenOf());
  useEffect(() => {
    const onHash = () => setScreen((current) => screenOf(current));
    addEventListener('hashchange', onHash);
    if (storedKey()) {
      void call<Who>('GET', '/v1/whoami').then((a) => {
        if (a.ok) setWho(a.body);
        else forgetKey();
        setChecked(true);
      });
    } else setChecked(true);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.getElementById('screen-title')?.focus();
  }, [screen]);

  if (!checked) return <p>Loading…</p>;
  if (!who) return <SignIn onSignedIn={setWho} />;
  const signOut = () => {
    forgetKey();
    forgetObjects();
    setWho(null);
  };
  const links = [
    ...screens.map((s) => ({ id: s.path, title: s.title })),
    // Decks are the operator's (the API refuses customer keys).
    ...(who.kind === 'operator' ? [{ id: 'rates', title: 'Rate decks' }] : []),
    { id: 'routing', title: 'Routing' },
    { id: 'live', title: 'Live' },
  ];
  const resource = screens.find((s) => s.path === screen);
  return (
    <>
      <a href="#main" class="skip">
        Skip to content
      </a>
      <header>
        <span class="brand">Tandem</span>
        <nav aria-label="Screens">
          <ul>
            {links.map((l) => (
              <li key={l.id}>
                <a href={`#/${l.id}`} aria-current={screen === l.id ? 'page' : undefined}>
                  {l.title}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          {who.kind === 'operator' ? 'Operator' : `Customer ${who.customer_id ?? ''}`}
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main">
        {resource && <ResourceView key={resource.path} screen={resource} who={who} />}
        {screen === 'rates' && who.kind === 'operator' && <RatesView />}
        {screen === 'routing' && <RoutingView who={who} />}
        {screen === 'live' && <LiveView who={who} />}
        {!resource && !['routing', 'live', 'rates'].includes(screen) && <p>No such screen.</p>}
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
