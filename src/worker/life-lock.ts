/// <reference lib="webworker" />

let lifeLock: Promise<void> | null = null;

/**
 * Hold a Web Lock named after this worker for as long as it lives: when the worker ends (terminated, closed, crashed)
 * the browser releases it, and the page, waiting for the same lock, learns that the worker is gone. Resolves once held.
 */
export function holdLifeLock(): Promise<void> {
  const locks = (self as unknown as { navigator: Navigator }).navigator.locks;
  if (!locks || !self.name) return Promise.resolve();
  lifeLock ??= new Promise<void>((held) => {
    void locks.request(self.name, () => {
      held();
      return new Promise<never>(() => {});
    });
  });
  return lifeLock;
}
