import type { Field } from './resources';

export type FormValues = Record<string, string | boolean>;

/** The form's values of an object (edit) or empty ones (create). */
export function formValues(fields: Field[], object?: Record<string, unknown>): FormValues {
  return Object.fromEntries(
    fields.map((f) => {
      const value = object?.[f.name];
      if (f.type === 'boolean') return [f.name, object ? value === true : (f.initial ?? false)];
      if (f.type === 'json') return [f.name, value === undefined ? '' : JSON.stringify(value)];
      return [f.name, value === undefined || value === null ? '' : String(value)];
    }),
  );
}

/**
 * The request body of a form: empty fields left out (the API's defaults apply), numbers as numbers,
 * JSON fields parsed. A JSON field that does not parse is named in `errors` instead, as the API would.
 */
export function formBody(
  fields: Field[],
  values: FormValues,
  initial?: FormValues,
): { body: Record<string, unknown>; errors: Record<string, string> } {
  const body: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const value = values[f.name];
    if (initial && value === initial[f.name]) continue;
    if (f.type === 'boolean') {
      body[f.name] = value === true;
      continue;
    }
    const text = typeof value === 'string' ? value.trim() : '';
    if (text === '') {
      // On edit a cleared reference is a null and cleared text an empty string (the API clears
      // it, or names the field if it may not be empty); on create the API's default applies.
      if (initial && f.type === 'ref' && !('required' in f && f.required)) body[f.name] = null;
      else if (initial && f.type === 'text') body[f.name] = '';
      continue;
    }
    if (f.type === 'number') body[f.name] = /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    else if (f.type === 'json') {
      try {
        body[f.name] = JSON.parse(text);
      } catch {
        errors[f.name] = 'is not valid JSON';
      }
    } else body[f.name] = text;
  }
  return { body, errors };
}

/**
 * The API's field errors (`errors[].field`, a dotted path such as `allowed_sources.0.cidr`) placed at
 * the form field they belong to; the rest are shown above the form.
 */
export function errorsByField(
  fields: Field[],
  errors: { field: string; message: string }[],
): { at: Record<string, string[]>; rest: string[] } {
  const at: Record<string, string[]> = {};
  const rest: string[] = [];
  for (const e of errors) {
    const field = fields.find((f) => e.field === f.name || e.field.startsWith(`${f.name}.`));
    if (!field) {
      rest.push(`${e.field}: ${e.message}`);
      continue;
    }
    const inner = e.field.slice(field.name.length + 1);
    at[field.name] = [...(at[field.name] ?? []), inner ? `${inner}: ${e.message}` : e.message];
  }
  return { at, rest };
}
