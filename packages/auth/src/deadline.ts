// Bounded calls into user-supplied hooks (isRevoked, a replay store): a throw, a timeout or a non-boolean fails closed.

/** A hook did not give a usable answer in time: the request is denied with 503, never allowed. */
export class DependencyUnavailable extends Error {
  override readonly name = 'DependencyUnavailable';
  /** Which dependency failed, for the log: "revocation check" or "DPoP replay store". */
  readonly dependency: string;
  constructor(dependency: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.dependency = dependency;
  }
}

/** Calls `hook` and resolves its boolean answer, or rejects with DependencyUnavailable after `timeoutMs`. */
export async function booleanWithin(dependency: string, timeoutMs: number, hook: () => unknown): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new DependencyUnavailable(dependency, `${dependency} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    timer.unref();
  });
  try {
    const answer: unknown = await Promise.race([Promise.resolve().then(hook), deadline]);
    if (typeof answer !== 'boolean')
      throw new DependencyUnavailable(dependency, `${dependency} did not resolve to a boolean`);
    return answer;
  } catch (err) {
    if (err instanceof DependencyUnavailable) throw err;
    throw new DependencyUnavailable(dependency, `${dependency} failed`, err);
  } finally {
    clearTimeout(timer);
  }
}
