import { describe, expect, it } from 'vitest';
import { CancelledError, isCancelled } from '../../src/core/decode/cancel.ts';
import { errorMessage } from '../../src/core/errors.ts';

describe('errors', () => {
  it('a cancellation is recognised as thrown and as Comlink rebuilds it on the page (a plain Error keeping its name)', () => {
    const thrown = new CancelledError();
    const rebuilt = Object.assign(new Error(thrown.message), { name: thrown.name, stack: thrown.stack });
    expect(isCancelled(thrown)).toBe(true);
    expect(isCancelled(rebuilt)).toBe(true);
    expect(isCancelled(new Error('the user cancelled nothing'))).toBe(false);
    expect(isCancelled('cancelled')).toBe(false);
  });

  it('errorMessage is the message of an Error and the string of anything else', () => {
    expect(errorMessage(new Error('bad line 3'))).toBe('bad line 3');
    expect(errorMessage(42)).toBe('42');
  });
});
