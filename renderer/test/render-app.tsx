import { act, render, screen, waitFor } from '@testing-library/react';
import { expect } from 'vitest';
import userEvent from '@testing-library/user-event';
import { App } from '../src/app/App';
import type { ApiEvent, ApiEvents } from '../../electron/shared/contract';
import type { FakeApi } from './fake-api';

/** Renders the whole window on a screen (as its address would), and waits for the overview. */
export async function renderApp(api: FakeApi, screenId?: 'connection' | 'objects' | 'schedule' | 'log' | 'data') {
  window.history.replaceState(null, '', screenId ? `/#/${screenId}` : '/');
  const user = userEvent.setup();
  const result = render(<App api={api} />);
  await screen.findByRole('navigation', { name: 'Screens' });
  // The navigation can show before the shell's effects have subscribed to the back end's events (they
  // run in a later task, which a busy machine delays): wait until they have, so an emit() is never lost.
  await waitFor(() => expect(api.listenerCount('runFinished')).toBeGreaterThan(0));
  return { user, ...result };
}

/** Pushes an event from the fake back end inside act(), as React wants for state updates. */
export function emit<E extends ApiEvent>(api: FakeApi, event: E, payload: ApiEvents[E]) {
  act(() => api.emit(event, payload));
}
