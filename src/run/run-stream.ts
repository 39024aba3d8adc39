import type { RunEvent } from "./events.js";
import type { RunOutput } from "./output.js";

/**
 * The stream of one run: iterate it for events; `output` resolves when it ends.
 * `collect()` runs it to the end without looking at the events (the non-stream answer).
 */
export class RunStream implements AsyncIterable<RunEvent> {
  readonly output: Promise<RunOutput>;
  #resolve!: (out: RunOutput) => void;
  #reject!: (err: unknown) => void;
  #started = false;
  #settled = false;

  constructor(private readonly gen: AsyncGenerator<RunEvent, RunOutput, undefined>) {
    this.output = new Promise<RunOutput>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.output.catch(() => {}); // the iterator rethrows; an unobserved output must not crash the process
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RunEvent, void, undefined> {
    if (this.#started) throw new Error("A RunStream can be iterated once");
    this.#started = true;
    try {
      for (;;) {
        const step = await this.gen.next();
        if (step.done) {
          this.#settled = true;
          this.#resolve(step.value);
          return;
        }
        yield step.value;
      }
    } catch (err) {
      this.#settled = true;
      this.#reject(err);
      throw err;
    } finally {
      if (!this.#settled) {
        // A consumer that stops early ends the generator, so its own finally blocks run.
        await this.gen.return(undefined as never).catch(() => {});
        this.#reject(new Error("The run's stream was abandoned before it ended"));
      }
    }
  }

  async collect(): Promise<RunOutput> {
    for await (const _ of this);
    return this.output;
  }
}
