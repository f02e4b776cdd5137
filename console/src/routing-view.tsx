import { useEffect, useState } from 'preact/hooks';
import { call, type Page, type Problem, query, type Who } from './api';
import { routeTiers, type TierRoute } from './charts';
import { labelOf, useObjects } from './names';
import { ProblemBox } from './resource-view';

type Route = TierRoute & { name: string; provider_id: string; customer_id: string };
type Target = {
  provider_id?: string;
  ipbx_id?: string;
  route_id: string | null;
  uri: string;
  reason?: string;
};
type Simulation = {
  action: 'route' | 'reject' | 'challenge';
  code?: number;
  reason?: string;
  targets: Target[];
  skipped: { route_id: string; provider_id: string; reason: string }[];
};

/** A customer's routing: a simulated call's ordered targets and skips, and the route table as prefix tiers. */
export function RoutingView({ who }: { who: Who }) {
  const customers = useObjects('customers');
  const providers = useObjects('providers');
  const [customerId, setCustomerId] = useState(who.customer_id ?? '');
  const [callee, setCallee] = useState('');
  const [caller, setCaller] = useState('+15555550100');
  const [routes, setRoutes] = useState<Route[]>([]);
  const [result, setResult] = useState<Simulation | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const providerName = (id: string | undefined) => {
    const p = providers.find((o) => o.id === id);
    return p ? labelOf(p) : (id ?? '');
  };
  const routeName = (id: string | null) => routes.find((r) => r.id === id)?.name ?? id ?? '—';

  useEffect(() => {
    if (!customerId && customers[0]) setCustomerId(customers[0].id);
  }, [customers, customerId]);

  useEffect(() => {
    if (!customerId) return;
    void call<Page<Route>>('GET', `/v1/routes${query({ customer_id: customerId, page_size: 100 })}`).then(
      (a) => setRoutes(a.ok ? a.body.result : []),
    );
  }, [customerId]);

  const simulate = async (event: Event) => {
    event.preventDefault();
    const a = await call<Simulation>('POST', '/v1/routing/simulate', {
      customer_id: customerId,
      caller,
      callee,
    });
    if (a.ok) {
      setResult(a.body);
      setProblem(null);
    } else {
      setResult(null);
      setProblem(a.problem);
    }
  };

  const tiers = routeTiers(routes, callee.trim());
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title" tabIndex={-1}>
        Routing
      </h1>
      <form class="inline-form" onSubmit={(e) => void simulate(e)}>
        <div class="field">
          <label for="sim-customer">Customer</label>
          <select id="sim-customer" value={customerId} onChange={(e) => setCustomerId(e.currentTarget.value)}>
            {customers.map((c) => (
              <option key={c.id} value={c.id}>
                {labelOf(c)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="sim-callee">Number dialled</label>
          <input id="sim-callee" value={callee} onInput={(e) => setCallee(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="sim-caller">Caller</label>
          <input id="sim-caller" value={caller} onInput={(e) => setCaller(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary">
          Simulate
        </button>
      </form>
      {problem && (
        <ProblemBox problem={problem} rest={(problem.errors ?? []).map((e) => `${e.field}: ${e.message}`)} />
      )}
      {result && (
        <div class="simulation" aria-live="polite">
          <h2>
            Decision: {result.action}
            {result.code ? ` ${result.code}` : ''}
            {result.reason ? ` (${result.reason})` : ''}
          </h2>
          <table>
            <caption>Ordered targets</caption>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Target</th>
                <th scope="col">Route</th>
                <th scope="col">Request-URI</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {result.targets.map((t, i) => (
                <tr key={`${t.route_id}-${i}`}>
                  <td>{i + 1}</td>
                  <td>{t.provider_id ? providerName(t.provider_id) : `IPBX ${t.ipbx_id ?? ''}`}</td>
                  <td>{routeName(t.route_id)}</td>
                  <td>
                    <code>{t.uri}</code>
                  </td>
                  <td>{t.reason ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table>
            <caption>Skipped ({result.skipped.length})</caption>
            <thead>
              <tr>
                <th scope="col">Provider</th>
                <th scope="col">Route</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {result.skipped.map((s) => (
                <tr key={`${s.route_id}-${s.provider_id}`}>
                  <td>{providerName(s.provider_id)}</td>
                  <td>{routeName(s.route_id)}</td>
                  <td>{s.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Route table by prefix tier</h2>
      <p class="muted">
        Longest prefix first, then shorter ones, then <code>all</code>; inside a tier by priority, then
        weight. Tiers marked “applies” match the number typed above. The default customer’s routes follow
        these (not shown).
      </p>
      <ol class="tiers">
        {tiers.map((tier) => (
          <li key={tier.target} class={tier.matches ? 'tier matches' : 'tier'}>
            <span class="tier-head">
              <code>{tier.target}</code>
              {tier.matches && <span class="badge">applies</span>}
            </span>
            <ul>
              {tier.routes.map((r) => (
                <li key={r.id}>
                  priority {r.priority}, weight {r.weight} → {providerName(r.provider_id)} ({r.name})
                  {r.enabled ? '' : ' — disabled'}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {tiers.length === 0 && <p>No routes for this customer.</p>}
    </section>
  );
}
