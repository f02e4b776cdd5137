import { useEffect, useState } from 'preact/hooks';
import { call, callCsv, type Page, type Problem, query } from './api';
import { labelOf, useObjects } from './names';
import { ProblemBox } from './resource-view';

type Rate = {
  prefix: string;
  rate: string;
  connect_fee: string;
  first_increment_s: number;
  next_increment_s: number;
  minimum_s: number;
  effective_from: string | null;
};

/** A provider's or a rate plan's deck (operator only, as the API): its lines by prefix, and a CSV import. */
export function RatesView() {
  const providers = useObjects('providers');
  const plans = useObjects('rate-plans');
  const [owner, setOwner] = useState('');
  const [prefix, setPrefix] = useState('');
  const [tokens, setTokens] = useState<string[]>(['']);
  const [page, setPage] = useState<Page<Rate> | null>(null);
  const [csv, setCsv] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState('');
  const [reload, setReload] = useState(0);
  const token = tokens[tokens.length - 1] ?? '';
  // `provider:<id>` or `rate_plan:<id>`: the query parameter the API takes.
  const [kind, id] = owner.split(':');
  const ownerQuery = kind === 'provider' ? { provider_id: id } : { rate_plan_id: id };

  useEffect(() => {
    if (!owner && providers[0]) setOwner(`provider:${providers[0].id}`);
  }, [providers, owner]);

  useEffect(() => {
    if (!owner) return;
    void call<Page<Rate>>(
      'GET',
      `/v1/rates${query({ ...ownerQuery, prefix, page_size: 50, page_token: token })}`,
    ).then((a) => {
      if (a.ok) {
        setPage(a.body);
        setProblem(null);
      } else setProblem(a.problem);
    });
  }, [owner, prefix, token, reload]);

  const upload = async (event: Event) => {
    event.preventDefault();
    const a = await callCsv<{ imported: number }>(`/v1/rates${query(ownerQuery)}`, csv);
    if (a.ok) {
      setNotice(`Imported ${a.body.imported} lines: the deck is replaced.`);
      setProblem(null);
      setTokens(['']);
      setReload((n) => n + 1);
    } else {
      setNotice('');
      setProblem(a.problem);
    }
  };

  const lineErrors = (problem?.errors ?? []).map(
    (e) => `${e.line !== undefined ? `line ${e.line}: ` : ''}${e.field}: ${e.message}`,
  );
  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title" tabIndex={-1}>
        Rate decks
      </h1>
      <div class="inline-form">
        <div class="field">
          <label for="deck-owner">Deck of</label>
          <select
            id="deck-owner"
            value={owner}
            onChange={(e) => {
              setOwner(e.currentTarget.value);
              setTokens(['']);
            }}
          >
            <optgroup label="Providers (buy)">
              {providers.map((p) => (
                <option key={p.id} value={`provider:${p.id}`}>
                  {labelOf(p)}
                </option>
              ))}
            </optgroup>
            <optgroup label="Rate plans (sell)">
              {plans.map((p) => (
                <option key={p.id} value={`rate_plan:${p.id}`}>
                  {labelOf(p)}
                </option>
              ))}
            </optgroup>
          </select>
        </div>
        <div class="field">
          <label for="deck-prefix">Prefix starts with</label>
          <input
            id="deck-prefix"
            value={prefix}
            onInput={(e) => {
              setPrefix(e.currentTarget.value);
              setTokens(['']);
            }}
          />
        </div>
      </div>
      <p role="status" class="notice">
        {notice}
      </p>
      {problem && <ProblemBox problem={problem} rest={lineErrors} />}
      {page && (
        <table>
          <caption>Lines in force and to come ({page.result.length} on this page)</caption>
          <thead>
            <tr>
              <th scope="col">Prefix</th>
              <th scope="col">Rate / min</th>
              <th scope="col">Connect fee</th>
              <th scope="col">Increments (s)</th>
              <th scope="col">Minimum (s)</th>
              <th scope="col">Effective from</th>
            </tr>
          </thead>
          <tbody>
            {page.result.map((r) => (
              <tr key={`${r.prefix}-${r.effective_from ?? ''}`}>
                <td>{r.prefix}</td>
                <td>{r.rate}</td>
                <td>{r.connect_fee}</td>
                <td>
                  {r.first_increment_s}/{r.next_increment_s}
                </td>
                <td>{r.minimum_s}</td>
                <td>{r.effective_from ?? 'always'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav class="pager" aria-label="Rate pages">
        <button type="button" disabled={tokens.length < 2} onClick={() => setTokens(tokens.slice(0, -1))}>
          Previous page
        </button>
        <button
          type="button"
          disabled={!page?.next_page_token}
          onClick={() => page && setTokens([...tokens, page.next_page_token])}
        >
          Next page
        </button>
      </nav>
      <form class="resource-form" onSubmit={(e) => void upload(e)}>
        <h2>Replace the deck from CSV</h2>
        <div class="field">
          <label for="deck-csv">
            CSV lines (prefix,rate,connect_fee,first_increment_s,next_increment_s,minimum_s,effective_from)
          </label>
          <textarea id="deck-csv" rows={6} value={csv} onInput={(e) => setCsv(e.currentTarget.value)} />
        </div>
        <button type="submit" class="primary">
          Import
        </button>
      </form>
    </section>
  );
}
