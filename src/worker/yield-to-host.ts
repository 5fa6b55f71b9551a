/// <reference lib="webworker" />

// A task boundary (not a microtask) between decoding steps, so a cancel message from the page is handled.
const channel = new MessageChannel();
const waiting: (() => void)[] = [];
channel.port1.onmessage = () => waiting.shift()?.();

/** Resolve after the messages already queued for the worker (a cancel among them) have been handled. */
export function yieldToHost(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    channel.port2.postMessage(null);
  });
}
