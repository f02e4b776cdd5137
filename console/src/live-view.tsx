import { useEffect, useState } from 'preact/hooks';
import type { Cdr } from '../../contract/cdr';
import { call, type Page, type Problem, query, type Who } from './api';
import { timeline } from './charts';
import { labelOf, useObjects } from './names';
import { ProblemBox } from './resource-view';
import { BarsSvg, LineSvg, TimelineSvg } from './svg';

type Stats = {
  bucket_s: number;
  buckets: { start: string; calls: number; answered: number; rejected: number }[];
  rejects_by_reason: { reason: string; count: number }[];
  providers: {
    provider_id: string;
    attempts: number;
    answered: number;
    asr: number | null;
    pdd_ms: number | null;
  }[];
  truncated: boolean;
};
type SiteStatus = { site: string; state: 'up' | 'down'; stale: boolean; since: string };

/** Provider status, calls per second and rejects by reason over the last hour, and CDR search. */
export function LiveView({ who }: { who: Who }) {
  const [stats, setStats] = useState<Stats | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [refresh, setRefresh] = useState(0);
  useEffect(() => {
    void call<Stats>('GET', `/v1/stats/calls${query({ bucket_s: 60 })}`).then((a) => {
      if (a.ok) setStats(a.body);
      else setProblem(a.problem);
    });
  }, [refresh]);
  const cps = stats?.buckets.map((b) => Math.round((b.calls / stats.bucket_s) * 100) / 100) ?? [];
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title" tabIndex={-1}>
        Live
      </h1>
      <button type="button" onClick={() => setRefresh((n) => n + 1)}>
        Refresh
      </button>
      {problem && <ProblemBox problem={problem} />}
      {who.kind === 'operator' && <ProviderStatus stats={stats} refresh={refresh} />}
      <div class="charts">
        <figure>
          <figcaption>Calls per second, last hour (per minute)</figcaption>
          <LineSvg title="Calls per second over the last hour" values={cps} unit="calls/s" />
          {stats && (
            <p class="muted">
              {stats.buckets.reduce((n, b) => n + b.calls, 0)} calls in the hour, peak {Math.max(0, ...cps)}{' '}
              calls/s over a minute.
            </p>
          )}
        </figure>
        <figure>
          <figcaption>Rejects by reason, last hour</figcaption>
          {stats && stats.rejects_by_reason.length === 0 ? (
            <p>No rejected calls.</p>
          ) : (
            <BarsSvg
              title="Rejected calls by reason over the last hour"
              items={(stats?.rejects_by_reason ?? []).map((r) => ({ label: r.reason, value: r.count }))}
            />
          )}
        </figure>
      </div>
      {stats?.truncated && (
        <p class="muted">More calls than one request reads: the figures are of the newest.</p>
      )}
      <CdrSearch />
    </section>
  );
}

function ProviderStatus({ stats, refresh }: { stats: Stats | null; refresh: number }) {
  const providers = useObjects('providers');
  const [sites, setSites] = useState<Record<string, SiteStatus[]>>({});
  useEffect(() => {
    void Promise.all(
      providers.map(async (p) => {
        const a = await call<{ sites: SiteStatus[] }>('GET', `/v1/providers/${p.id}/status`);
        return [p.id, a.ok ? a.body.sites : []] as const;
      }),
    ).then((entries) => setSites(Object.fromEntries(entries)));
  }, [providers, refresh]);
  return (
    <table>
      <caption>Providers</caption>
      <thead>
        <tr>
          <th scope="col">Provider</th>
          <th scope="col">Status per site</th>
          <th scope="col">Attempts (1 h)</th>
          <th scope="col">ASR</th>
          <th scope="col">Post-dial delay</th>
        </tr>
      </thead>
      <tbody>
        {providers.map((p) => {
          const figures = stats?.providers.find((s) => s.provider_id === p.id);
          const list = sites[p.id] ?? [];
          return (
            <tr key={p.id}>
              <td>{labelOf(p)}</td>
              <td>
                {list.length === 0
                  ? 'not probed'
                  : list.map((s) => (
                      <span key={s.site} class={`state ${s.state}`}>
                        {s.site}: {s.state}
                        {s.stale ? ' (stale)' : ''}
                      </span>
                    ))}
              </td>
              <td>{figures?.attempts ?? 0}</td>
              <td>
                {figures?.asr === null || figures === undefined ? '—' : `${Math.round(figures.asr * 100)} %`}
              </td>
              <td>{figures?.pdd_ms === null || figures === undefined ? '—' : `${figures.pdd_ms} ms`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString().slice(0, 16);
const inAMinute = () => new Date(Date.now() + 60_000).toISOString().slice(0, 16);

function CdrSearch() {
  const providers = useObjects('providers');
  const [form, setForm] = useState({
    from: hourAgo(),
    to: inAMinute(),
    caller: '',
    callee: '',
    final_code: '',
  });
  const [tokens, setTokens] = useState<string[]>([]);
  const [page, setPage] = useState<Page<Cdr> | null>(null);
  const [chosen, setChosen] = useState<Cdr | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const name = (id: string) => {
    const p = providers.find((o) => o.id === id);
    return p ? labelOf(p) : id.slice(0, 8);
  };

  const load = async (token: string) => {
    const a = await call<Page<Cdr>>(
      'GET',
      `/v1/cdrs${query({
        from: `${form.from}:00Z`,
        to: `${form.to}:00Z`,
        caller: form.caller,
        callee: form.callee,
        final_code: form.final_code,
        page_size: 20,
        page_token: token,
      })}`,
    );
    if (a.ok) {
      setPage(a.body);
      setProblem(null);
    } else setProblem(a.problem);
  };
  const search = (event: Event) => {
    event.preventDefault();
    setTokens(['']);
    setChosen(null);
    void load('');
  };
  const input = (field: keyof typeof form, label: string, time = false) => {
    const common = {
      id: `cdr-${field}`,
      value: form[field],
      onInput: (e: { currentTarget: HTMLInputElement }) =>
        setForm({ ...form, [field]: e.currentTarget.value }),
    };
    return (
      <div class="field">
        <label for={`cdr-${field}`}>{label}</label>
        {time ? <input {...common} type="datetime-local" /> : <input {...common} type="text" />}
      </div>
    );
  };
  return (
    <div class="cdr-search">
      <h2>CDR search</h2>
      <form class="inline-form" onSubmit={search}>
        {input('from', 'From (UTC)', true)}
        {input('to', 'To (UTC)', true)}
        {input('caller', 'Caller')}
        {input('callee', 'Callee')}
        {input('final_code', 'Final code')}
        <button type="submit" class="primary">
          Search CDRs
        </button>
      </form>
      {problem && (
        <ProblemBox problem={problem} rest={(problem.errors ?? []).map((e) => `${e.field}: ${e.message}`)} />
      )}
      {page && (
        <>
          <table>
            <caption>CDRs ({page.result.length} on this page)</caption>
            <thead>
              <tr>
                <th scope="col">INVITE</th>
                <th scope="col">Caller</th>
                <th scope="col">Callee</th>
                <th scope="col">Final</th>
                <th scope="col">Duration</th>
                <th scope="col">Attempts</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {page.result.map((c) => (
                <tr key={c.id}>
                  <td>{c.tm_invite.replace('T', ' ').slice(0, 19)}</td>
                  <td>{c.caller}</td>
                  <td>{c.callee}</td>
                  <td>
                    {c.final_code} {c.refused ?? c.reason}
                  </td>
                  <td>{c.duration_s.toFixed(1)} s</td>
                  <td>{c.attempts.length}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() => setChosen(c)}
                      aria-label={`Timeline of call ${c.call_id}`}
                    >
                      Timeline
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav class="pager" aria-label="CDR pages">
            <button
              type="button"
              disabled={tokens.length < 2}
              onClick={() => {
                const back = tokens.slice(0, -1);
                setTokens(back);
                void load(back[back.length - 1] ?? '');
              }}
            >
              Previous page
            </button>
            <button
              type="button"
              disabled={!page.next_page_token}
              onClick={() => {
                setTokens([...tokens, page.next_page_token]);
                void load(page.next_page_token);
              }}
            >
              Next page
            </button>
          </nav>
        </>
      )}
      {chosen && (
        <figure class="call-timeline">
          <figcaption>
            Call {chosen.call_id}: {chosen.caller} → {chosen.callee}, {chosen.final_code} {chosen.reason}
            {chosen.end_reason ? `, ended by ${chosen.end_by ?? '?'} (${chosen.end_reason})` : ''}
          </figcaption>
          <TimelineSvg layout={timeline(chosen, 600)} name={name} />
          <ol class="attempts">
            {chosen.attempts.map((a, i) => (
              <li key={`${a.target_id}-${i}`}>
                {name(a.target_id)}: {a.code} ({a.cause}), post-dial delay{' '}
                {a.pdd_ms === null ? '—' : `${a.pdd_ms} ms`}
              </li>
            ))}
          </ol>
        </figure>
      )}
    </div>
  );
}
