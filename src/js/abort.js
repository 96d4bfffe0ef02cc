// Abort plumbing that is simplest in JS: event listeners on a caller's AbortSignal.

// Resolves after `ms`, or as soon as `signal` aborts (so a backoff never outlives an abort).
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal != null && signal.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      if (signal != null) signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (signal != null) signal.addEventListener("abort", onAbort, { once: true });
  });
}

// Settles like `promise`, or rejects as soon as `signal` aborts; the caller then sees
// `signal.aborted` and reports `aborted`. Handlers are attached to `promise` either way, so a
// shared renewal that this caller stops waiting for never becomes an unhandled rejection.
// With `deadlineMs`, resolves to `undefined` if `promise` has not settled by then: in Workers a
// renewal started by another request never settles if that request is cancelled, so a waiter
// must be able to give up on it (the timer is the waiter's own, in its own request).
export function raceAbort(promise, signal, deadlineMs) {
  promise.catch(() => {});
  if (signal == null && deadlineMs == null) return promise;
  return new Promise((resolve, reject) => {
    if (signal != null && signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = deadlineMs == null ? undefined : setTimeout(() => {
      if (signal != null) signal.removeEventListener("abort", onAbort);
      resolve(undefined);
    }, deadlineMs);
    if (signal != null) signal.addEventListener("abort", onAbort, { once: true });
    const settle = (finish) => (value) => {
      clearTimeout(timer);
      if (signal != null) signal.removeEventListener("abort", onAbort);
      finish(value);
    };
    promise.then(settle(resolve), settle(reject));
  });
}
