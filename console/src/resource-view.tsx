import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, type Page, type Problem, query, type Who } from './api';
import { errorsByField, type FormValues, formBody, formValues } from './form';
import { forgetObjects, labelOf, useObjects } from './names';
import type { Column, Field, ResourceScreen } from './resources';

type Row = Record<string, unknown> & { id: string };

/** A resource's list (search, paging), its create / edit form and delete, as `screen` describes it. */
export function ResourceView({ screen, who }: { screen: ResourceScreen; who: Who }) {
  const [rows, setRows] = useState<Row[]>([]);
  const [tokens, setTokens] = useState<string[]>(['']);
  const [next, setNext] = useState('');
  const [search, setSearch] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [notice, setNotice] = useState('');
  const [editing, setEditing] = useState<Row | 'new' | null>(null);
  const [reload, setReload] = useState(0);
  const canWrite = who.kind === 'operator' || !screen.operatorWrites;
  const token = tokens[tokens.length - 1] ?? '';

  useEffect(() => {
    let live = true;
    void call<Page<Row>>('GET', `/v1/${screen.path}${query({ page_size: 25, page_token: token })}`).then(
      (a) => {
        if (!live) return;
        if (a.ok) {
          setRows(a.body.result);
          setNext(a.body.next_page_token);
          setProblem(null);
        } else setProblem(a.problem);
      },
    );
    return () => {
      live = false;
    };
  }, [screen.path, token, reload]);

  const needle = search.trim().toLowerCase();
  const shown = needle
    ? rows.filter((r) =>
        screen.columns.some((c) =>
          String(r[c.name] ?? '')
            .toLowerCase()
            .includes(needle),
        ),
      )
    : rows;

  const remove = async (row: Row) => {
    if (!confirm(`Delete ${screen.singular} ${labelOf(row)}?`)) return;
    const a = await call('DELETE', `/v1/${screen.path}/${row.id}`);
    if (a.ok) {
      setNotice(`Deleted ${screen.singular} ${labelOf(row)}.`);
      setProblem(null);
      forgetObjects(screen.path);
      setReload((n) => n + 1);
    } else setProblem(a.problem);
  };

  return (
    <section aria-labelledby="screen-title">
      <h1 id="screen-title" tabIndex={-1}>
        {screen.title}
      </h1>
      <div class="toolbar">
        <label for="search">Search this page</label>
        <input id="search" type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} />
        {canWrite && (
          <button type="button" onClick={() => setEditing('new')}>
            New {screen.singular}
          </button>
        )}
      </div>
      <p role="status" class="notice">
        {notice}
      </p>
      {problem && <ProblemBox problem={problem} />}
      {editing && (
        <ResourceForm
          screen={screen}
          object={editing === 'new' ? undefined : editing}
          onDone={(message) => {
            setEditing(null);
            if (message) {
              setNotice(message);
              forgetObjects(screen.path);
              setReload((n) => n + 1);
            }
          }}
        />
      )}
      <table>
        <caption>
          {screen.title} ({shown.length} shown)
        </caption>
        <thead>
          <tr>
            {screen.columns.map((c) => (
              <th scope="col" key={c.name}>
                {c.label}
              </th>
            ))}
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr key={row.id}>
              {screen.columns.map((c) => (
                <td key={c.name}>
                  <Cell column={c} value={row[c.name]} />
                </td>
              ))}
              <td class="actions">
                {canWrite && (
                  <>
                    <button type="button" onClick={() => setEditing(row)} aria-label={`Edit ${labelOf(row)}`}>
                      Edit
                    </button>
                    <button
                      type="button"
                      class="danger"
                      onClick={() => void remove(row)}
                      aria-label={`Delete ${labelOf(row)}`}
                    >
                      Delete
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={tokens.length < 2} onClick={() => setTokens(tokens.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {tokens.length}</span>
        <button type="button" disabled={!next} onClick={() => setTokens([...tokens, next])}>
          Next page
        </button>
      </nav>
    </section>
  );
}

function Cell({ column, value }: { column: Column; value: unknown }) {
  const objects = useObjects(column.ref);
  if (value === null || value === undefined || value === '') return <span class="muted">—</span>;
  if (typeof value === 'boolean') return <>{value ? 'yes' : 'no'}</>;
  if (column.ref) {
    const found = objects.find((o) => o.id === value);
    return <span title={String(value)}>{found ? labelOf(found) : String(value)}</span>;
  }
  return <>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</>;
}

/** The API's problem: its title and detail, and the field errors no form field took. */
export function ProblemBox({ problem, rest }: { problem: Problem; rest?: string[] }) {
  return (
    <div role="alert" class="problem">
      <strong>
        {problem.status ? `${problem.status} ` : ''}
        {problem.title}
      </strong>
      : {problem.detail}
      {rest && rest.length > 0 && (
        <ul>
          {rest.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ResourceForm({
  screen,
  object,
  onDone,
}: {
  screen: ResourceScreen;
  object: Row | undefined;
  onDone: (message?: string) => void;
}) {
  const initial = object ? formValues(screen.fields, object) : undefined;
  const [values, setValues] = useState<FormValues>(() => formValues(screen.fields, object));
  const [problem, setProblem] = useState<Problem | null>(null);
  const [errors, setErrors] = useState<{ at: Record<string, string[]>; rest: string[] }>({
    at: {},
    rest: [],
  });
  const formId = `form-${screen.path}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    const { body, errors: local } = formBody(screen.fields, values, initial);
    if (Object.keys(local).length > 0) {
      setErrors({ at: Object.fromEntries(Object.entries(local).map(([k, v]) => [k, [v]])), rest: [] });
      setProblem({ status: 0, title: 'Not sent', detail: 'a field is not valid' });
      return;
    }
    const a = object
      ? await call<Row>('PATCH', `/v1/${screen.path}/${object.id}`, body)
      : await call<Row>('POST', `/v1/${screen.path}`, body);
    if (a.ok) {
      onDone(`${object ? 'Saved' : 'Created'} ${screen.singular} ${labelOf(a.body)}.`);
      return;
    }
    setProblem(a.problem);
    const placed = errorsByField(screen.fields, a.problem.errors ?? []);
    setErrors(placed);
    const first = Object.keys(placed.at)[0];
    if (first) document.getElementById(`${formId}-${first}`)?.focus();
  };

  return (
    <form id={formId} class="resource-form" onSubmit={(e) => void submit(e)} noValidate>
      <h2>{object ? `Edit ${screen.singular} ${labelOf(object)}` : `New ${screen.singular}`}</h2>
      {problem && <ProblemBox problem={problem} rest={errors.rest} />}
      {screen.fields.map((field) => (
        <FieldInput
          key={field.name}
          id={`${formId}-${field.name}`}
          field={field}
          value={values[field.name] ?? ''}
          errors={errors.at[field.name] ?? []}
          onChange={(v) => setValues({ ...values, [field.name]: v })}
        />
      ))}
      <div class="form-actions">
        <button type="submit" class="primary">
          {object ? 'Save' : 'Create'}
        </button>
        <button type="button" onClick={() => onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function FieldInput({
  id,
  field,
  value,
  errors,
  onChange,
}: {
  id: string;
  field: Field;
  value: string | boolean;
  errors: string[];
  onChange: (value: string | boolean) => void;
}) {
  const objects = useObjects(field.type === 'ref' ? field.path : undefined);
  const errorId = `${id}-error`;
  const hint = 'hint' in field ? field.hint : undefined;
  const described = [errors.length > 0 ? errorId : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  const common = {
    id,
    name: field.name,
    'aria-invalid': errors.length > 0 ? ('true' as const) : undefined,
    'aria-describedby': described || undefined,
  };
  const text = typeof value === 'string' ? value : '';
  let input: JSX.Element;
  if (field.type === 'boolean') {
    input = (
      <input
        {...common}
        type="checkbox"
        checked={value === true}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    );
  } else if (field.type === 'select' || field.type === 'ref') {
    const options =
      field.type === 'select'
        ? field.options.map((o) => ({ value: o, label: o }))
        : objects.map((o) => ({ value: o.id, label: labelOf(o) }));
    input = (
      <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{field.type === 'ref' ? '(none)' : '(default)'}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else if (field.type === 'json') {
    input = <textarea {...common} rows={2} value={text} onInput={(e) => onChange(e.currentTarget.value)} />;
  } else {
    input = (
      <input
        {...common}
        type="text"
        inputMode={field.type === 'number' ? 'numeric' : undefined}
        value={text}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    );
  }
  const required = 'required' in field && field.required;
  return (
    <div class={`field${field.type === 'boolean' ? ' check' : ''}`}>
      <label for={id}>
        {field.label}
        {required ? ' (required)' : ''}
      </label>
      {input}
      {hint && (
        <small id={`${id}-hint`} class="muted">
          {hint}
        </small>
      )}
      {errors.length > 0 && (
        <p id={errorId} class="field-error">
          {errors.join('; ')}
        </p>
      )}
    </div>
  );
}
