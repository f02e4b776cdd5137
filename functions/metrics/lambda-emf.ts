import { emfLines } from './emf';
import { addFigureSink, type Figure, snapshotAgeSeconds } from './figures';

/** The figures of the invocation in progress (a Lambda instance runs one at a time). */
let batch: Figure[] = [];
const collect = (figure: Figure) => {
  batch.push(figure);
};

/**
 * Wraps a Lambda handler so the figures of each invocation leave as CloudWatch embedded-metric-
 * format lines on stdout, written before the invocation returns (CloudWatch turns them into
 * metrics of the `Tandem` namespace; no agent, no API call). `fn` names the function (the
 * `Function` dimension).
 *
 * @example
 * export const handler = withEmf('decision', async (event, context) => answer(event));
 */
export function withEmf<E, C, R>(
  fn: string,
  handler: (event: E, context: C) => Promise<R>,
  write: (line: string) => void = (line) => console.log(line),
): (event: E, context: C) => Promise<R> {
  addFigureSink(collect);
  return async (event, context) => {
    batch = [];
    try {
      return await handler(event, context);
    } finally {
      const figures = batch;
      batch = [];
      for (const line of emfLines(fn, figures, Date.now(), snapshotAgeSeconds())) write(line);
    }
  };
}
